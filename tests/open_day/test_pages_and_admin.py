"""Public pages, the registrant's own page, check-in at the door, the review, exports, privacy,
isolation across tenants."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts import SYSTEM
from core.audit import AuditEntry
from core.clock import utcnow
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.open_day import services
from plugins.open_day.models import OpenDay
from tests.conftest import csrf_from, post_form
from tests.open_day.fixtures import make_event, move, register

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


def test_the_public_registers_gets_a_code_and_qr_and_cancels(demo, client):
    with demo.app_context():
        eid = make_event(places=5, group=2)
    page = client.get(f"/qinglan/baishui/open-day/{eid}").get_data(as_text=True)
    assert "剩余 5 人" in page and "每人最多可带 1 位同行人" in page
    response = client.post(f"/qinglan/baishui/open-day/{eid}/register", data={
        "csrf_token": csrf_from(page), "name": "周大爷", "phone": "139 1234 5678", "group_size": "2", "consent": "y"})
    assert response.status_code == 302
    mine = client.get(response.headers["Location"]).get_data(as_text=True)
    code = mine.split('class="tracking-code">')[1].split("<")[0]
    assert "报名成功" in mine and "周**，共 2 人" in mine and "周大爷" not in mine and "13912345678" not in mine
    qr = client.get(f"/qinglan/baishui/open-day/registration/{code}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert "剩余 3 人" in client.get(f"/qinglan/baishui/open-day/{eid}").get_data(as_text=True)
    found = client.get(f"/qinglan/baishui/open-day/registration?code={code.lower().replace('-', '')}")
    assert found.headers["Location"].endswith(f"/registration/{code}")
    again = client.post(f"/qinglan/baishui/open-day/{eid}/register", data={
        "csrf_token": csrf_from(page), "name": "周大爷", "phone": "13912345678", "consent": "y"})
    assert again.status_code == 400 and "已经报名了本次活动" in again.get_data(as_text=True)
    cancelled = client.post(f"/qinglan/baishui/open-day/registration/{code}/cancel",
                            data={"csrf_token": csrf_from(mine)}, follow_redirects=True)
    assert "已取消报名" in cancelled.get_data(as_text=True)
    assert "剩余 5 人" in client.get(f"/qinglan/baishui/open-day/{eid}").get_data(as_text=True)


def test_upcoming_list_gathers_the_subtree_and_ics_and_feed(demo, client):
    with demo.app_context():
        town_event = make_event(title="白水镇开放日")
        make_event("qinglan", title="县开放日")
        make_event(state="draft", title="草稿活动")
    district = client.get("/qinglan/open-day/").get_data(as_text=True)
    assert "白水镇开放日" in district and "县开放日" in district and "草稿活动" not in district
    assert "县开放日" not in client.get("/qinglan/baishui/open-day/").get_data(as_text=True)
    ics = client.get(f"/qinglan/baishui/open-day/{town_event}/calendar.ics")
    text = ics.get_data(as_text=True)
    assert ics.mimetype == "text/calendar" and "BEGIN:VEVENT" in text and "SUMMARY:白水镇开放日" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "白水镇开放日".encode() in client.get("/qinglan/baishui/open-day/feed.atom").data


def test_check_in_is_idempotent_and_counts_attendance(demo, client, auth):
    with demo.app_context():
        eid = make_event(places=3, group=2)
        code, _ = register("baishui", eid, 1, size=2)
        waiting = [register("baishui", eid, n)[0] for n in (2, 3)][1]
    auth.login("li")
    early = post_form(client, f"/admin/baishui/open-day/{eid}/check-in", {"code": code})
    assert "签到从活动当天" in early.get_data(as_text=True)
    with demo.app_context():
        move("baishui", eid, "ongoing")
    first = post_form(client, f"/admin/baishui/open-day/{eid}/check-in", {"code": code.lower()})
    assert "签到成功" in first.get_data(as_text=True)
    second = post_form(client, f"/admin/baishui/open-day/{eid}/check-in", {"code": code})
    html = second.get_data(as_text=True)
    assert "已经签到过了" in html and "已签到 1 份（2 人）" in html
    assert "候补报名" in post_form(client, f"/admin/baishui/open-day/{eid}/check-in", {"code": waiting}).get_data(as_text=True)
    assert "没有这个报名码" in post_form(client, f"/admin/baishui/open-day/{eid}/check-in", {"code": "AAAAA-BBBBB"}).get_data(as_text=True)


def test_review_rating_and_satisfaction(demo, client, auth):
    with demo.app_context():
        eid = make_event(places=5)
        codes = [register("baishui", eid, n)[0] for n in range(3)]
        move("baishui", eid, "ongoing")
        with tenant_scope(tenant_by_slug("baishui")):
            event = db.session.get(OpenDay, eid)
            services.check_in(SYSTEM, event, codes[0])
            services.check_in(SYSTEM, event, codes[1])
            db.session.commit()
        move("baishui", eid, "held")
    mine = client.get(f"/qinglan/baishui/open-day/registration/{codes[0]}").get_data(as_text=True)
    client.post(f"/qinglan/baishui/open-day/registration/{codes[0]}/rate",
                data={"csrf_token": csrf_from(mine), "rating": "4", "feedback": "讲解清楚<script>x</script>"})
    no_show = client.post(f"/qinglan/baishui/open-day/registration/{codes[2]}/rate",
                          data={"csrf_token": csrf_from(mine), "rating": "1"}, follow_redirects=True)
    assert "只有现场签到的参加者可以评价" in no_show.get_data(as_text=True)
    auth.login("li")
    manage = client.get(f"/admin/baishui/open-day/{eid}").get_data(as_text=True)
    assert "未到场 1 份" in manage
    post_form(client, f"/admin/baishui/open-day/{eid}", {"review_html": "<p>活动圆满结束。</p>"},
              url=f"/admin/baishui/open-day/{eid}/review")
    page = client.get(f"/qinglan/baishui/open-day/{eid}").get_data(as_text=True)
    assert "活动圆满结束" in page and "共 1 人评价，平均 <strong>4.0</strong> 星" in page
    assert "讲解清楚&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    fresh = client.get(f"/qinglan/baishui/open-day/registration/{codes[1]}").get_data(as_text=True)
    twice = client.post(f"/qinglan/baishui/open-day/registration/{codes[0]}/rate",
                        data={"csrf_token": csrf_from(fresh), "rating": "1"}, follow_redirects=True)
    assert "已经评价过了" in twice.get_data(as_text=True)


def test_exports_mask_by_default_and_full_exports_are_audited(demo, client, auth):
    with demo.app_context():
        eid = make_event()
        register("baishui", eid, 7)
    auth.login("li")
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/baishui/open-day/{eid}/export.csv?personal=1")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][1] == "报***" and rows[1][2] == "138****0007" and "***" in rows[1][0]
    auth.logout()
    auth.login("wang")
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/baishui/open-day/{eid}/export.csv?personal=1")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][1] == "报名人7" and rows[1][2] == "13800000007"
    with demo.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "open_day.export.personal")) is not None


def test_another_towns_editor_and_the_public_cannot_reach_it(demo, client, auth, runner):
    with demo.app_context():
        eid = make_event()
        draft = make_event(state="draft", title="未发布")
        code, _ = register("baishui", eid, 1)
    runner.invoke(args=["users", "create", "liu", "--password", "liuhe-password"])
    runner.invoke(args=["users", "grant", "liu", "editor", "liuhe"])
    auth.login("liu", "liuhe-password")
    for url in (f"/admin/baishui/open-day/{eid}", f"/admin/liuhe/open-day/{eid}", f"/admin/liuhe/open-day/{eid}/export.csv",
                f"/admin/liuhe/open-day/{eid}/check-in"):
        assert client.get(url).status_code == 404, url
    assert post_form(client, "/admin/liuhe/open-day/", {"code": code},
                     url=f"/admin/liuhe/open-day/{eid}/check-in").status_code == 404
    auth.logout()
    assert client.get(f"/qinglan/baishui/open-day/{draft}").status_code == 404
    assert client.get(f"/qinglan/liuhe/open-day/{eid}").status_code == 404
    assert client.get(f"/qinglan/liuhe/open-day/registration/{code}").status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/open-day/events/{draft}").status_code == 404
    api = client.get("/api/v1/tenants/baishui/open-day/events").get_data(as_text=True)
    assert "13800000001" not in api and "报名人1" not in api


def test_privacy_purge_erases_registrants_of_past_events(demo, runner):
    with demo.app_context():
        eid = make_event(places=5)
        register("baishui", eid, 1)
        with tenant_scope(tenant_by_slug("baishui")):
            event = db.session.get(OpenDay, eid)
            event.starts_at, event.ends_at = utcnow() - timedelta(days=10, hours=2), utcnow() - timedelta(days=10)
            event.registration_opens_at = utcnow() - timedelta(days=20)
            event.registration_closes_at = utcnow() - timedelta(days=11)
            db.session.commit()
        from core.notify import Notification
        for message in db.session.scalars(select(Notification)):
            message.created_at = utcnow() - timedelta(days=12)  # sent when they registered
        db.session.commit()
    before = (utcnow() - timedelta(days=1)).date().isoformat()
    result = runner.invoke(args=["privacy", "purge", "--before", before])
    assert "政府开放日：删除 1 条报名" in result.output and "通知发件箱：删除 1 条通知的收件人" in result.output
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        from plugins.open_day.models import Registration
        r = db.session.scalar(select(Registration))
        assert (r.name, r.phone, r.status) == ("", "", "confirmed")


def test_editor_api_and_public_api(demo, client, runner):
    token = {"Authorization": "Bearer " + runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]}
    now = utcnow()
    created = client.post("/api/v1/tenants/baishui/open-day/events", headers=token, json={
        "title": "走进镇派出所", "place": "白水镇派出所", "starts_at": (now + timedelta(days=5)).isoformat(),
        "ends_at": (now + timedelta(days=5, hours=2)).isoformat(), "registration_opens_at": (now - timedelta(hours=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=4)).isoformat(), "places": 2})
    assert created.status_code == 201, created.get_json()
    eid = created.get_json()["id"]
    bad = client.patch(f"/api/v1/tenants/baishui/open-day/events/{eid}", headers=token,
                       json={"ends_at": (now + timedelta(days=4)).isoformat()})
    assert bad.status_code == 400 and "结束时间必须晚于开始时间" in bad.get_json()["error"]
    assert client.post(f"/api/v1/tenants/baishui/open-day/events/{eid}/publish", headers=token).get_json()["status"] == "open"
    one = client.post(f"/api/v1/tenants/baishui/open-day/events/{eid}/registrations",
                      json={"name": "李雷", "phone": "13811112222", "group_size": 1, "consent": True})
    assert one.status_code == 201 and one.get_json()["status"] == "confirmed" and one.get_json()["name"] == "李*"
    listed = client.get("/api/v1/tenants/baishui/open-day/events").get_json()
    assert [e["places_left"] for e in listed if e["id"] == eid] == [1]
    early = client.post(f"/api/v1/tenants/baishui/open-day/events/{eid}/check-in", headers=token,
                        json={"code": one.get_json()["code"]})
    assert early.status_code == 400 and "签到从活动当天" in early.get_json()["error"]
    with demo.app_context():
        move("baishui", eid, "ongoing")
    checked = client.post(f"/api/v1/tenants/baishui/open-day/events/{eid}/check-in", headers=token,
                          json={"code": one.get_json()["code"]})
    assert checked.get_json() == {"outcome": "ok", "group_size": 1}
    with demo.app_context():  # back to the future, so that it can still be cancelled
        with tenant_scope(tenant_by_slug("baishui")):
            event = db.session.get(OpenDay, eid)
            event.starts_at, event.ends_at = now + timedelta(days=5), now + timedelta(days=5, hours=2)
            db.session.commit()
    cancelled = client.post(f"/api/v1/tenants/baishui/open-day/events/{eid}/cancel", headers=token, json={"reason": "场地维修"})
    assert cancelled.get_json()["status"] == "cancelled"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/tenants/{tenant_slug}/open-day/events/{event_id}/registrations" in spec["paths"]


def test_demo_open_days(demo_content, demo_output, client):
    assert "政府开放日" in demo_output
    with demo_content.app_context():
        with tenant_scope(tenant_by_slug("qinglan")):
            statuses = sorted(e.status() for e in db.session.scalars(select(OpenDay)))
        with tenant_scope(tenant_by_slug("baishui")):
            town = db.session.scalar(select(OpenDay))
            assert town.status() == "open" and town.places_left > 0
    assert statuses == ["full", "reviewed"]
    assert "名额已满" in client.get("/qinglan/open-day/").get_data(as_text=True)


@pytest.mark.parametrize("field", ["name"])
def test_typed_names_are_never_markup(demo, client, field):
    with demo.app_context():
        eid = make_event()
        code, _ = register("baishui", eid, 1, name="<img src=x onerror=alert(1)>")
    html = client.get(f"/qinglan/baishui/open-day/registration/{code}").get_data(as_text=True)
    assert "<img src=x" not in html


def test_look_alike_digits_do_not_make_a_second_registration(demo, client):
    with demo.app_context():
        eid = make_event(places=5)
    url = f"/api/v1/tenants/baishui/open-day/events/{eid}/registrations"
    first = client.post(url, json={"name": "张三", "phone": "13912345678", "consent": True})
    assert first.status_code == 201
    # Full-width digits and a +86 prefix are the same number (409); other scripts' digits are refused (400).
    for phone, status in (("1３912345678", 409), ("+86 139-1234-5678", 409), ("1٣912345678", 400)):
        again = client.post(url, json={"name": "张三", "phone": phone, "consent": True})
        assert again.status_code == status, (phone, again.get_json())
    listed = client.get(f"/api/v1/tenants/baishui/open-day/events/{eid}").get_json()
    assert listed["places_left"] == 4


def test_a_registration_never_lands_on_a_cancelled_event(demo, ctx):
    from sqlalchemy.orm.attributes import set_committed_value

    from core.errors import DomainError as Refused
    eid = make_event(places=5)
    with tenant_scope(tenant_by_slug("baishui")):
        event = db.session.get(OpenDay, eid)
        services.cancel_event(SYSTEM, event, "场地维修")
        db.session.commit()
        set_committed_value(event, "cancelled_at", None)  # a copy loaded before the cancellation
        with pytest.raises(Refused, match="已取消"):
            services.register(event, {"name": "张三", "phone": "13912345678", "consent": True})


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "9999-12-31T23:00:00-05:00"])
def test_impossible_dates_are_refused_clearly(demo, client, runner, value):
    with demo.app_context():
        eid = make_event()
    token = {"Authorization": "Bearer " + runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]}
    response = client.patch(f"/api/v1/tenants/baishui/open-day/events/{eid}", headers=token,
                            json={"registration_opens_at": value})
    assert response.status_code == 400 and "年份不对" in response.get_json()["error"]


def test_a_group_larger_than_the_places_is_refused(demo, ctx):
    eid = make_event(places=3, group=3)
    with tenant_scope(tenant_by_slug("baishui")):
        event = db.session.get(OpenDay, eid)
        with pytest.raises(Exception, match="不能多于总名额"):
            services.update_event(SYSTEM, event, {"places": 2})


def test_the_calendar_file_has_no_stray_line_breaks(demo, client):
    with demo.app_context():
        eid = make_event(title="开放日\rBEGIN:VALARM", notes="a\rURL:http://evil")
    text = client.get(f"/qinglan/baishui/open-day/{eid}/calendar.ics").get_data(as_text=True)
    assert "\rBEGIN:VALARM" not in text and "BEGIN:VALARM" not in text.split("SUMMARY:")[1].split("\r\n")[1:]
    assert all(line == "" or line.startswith((" ",)) or ":" in line for line in text.split("\r\n"))
    assert "\r" not in text.replace("\r\n", "")


def test_the_outbox_shows_messages_masked_to_the_tenants_admins(demo, client, auth):
    with demo.app_context():
        eid = make_event()
        register("baishui", eid, 5)
        make_event("liuhe", title="柳河开放日")
        register("liuhe", make_event("liuhe"), 6)
    auth.login("wang")
    html = client.get("/admin/baishui/outbox").get_data(as_text=True)
    assert "138****0005" in html and "13800000005" not in html and "138****0006" not in html
    auth.logout()
    auth.login("li")
    assert client.get("/admin/baishui/outbox").status_code == 403
