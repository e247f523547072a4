"""The office's handling of an application (issue 19, points 2, 3 and 8), through its pages and its
API: the list on the statutory clock (the district sees its towns'), registration of a paper
application, each step with its refusals (nothing saved), and the token API with the same rules."""
from __future__ import annotations

import re
from datetime import date

from core.accounts import create_user, grant_role, issue_token, SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.applications.models import Application
from tests.applications.fixtures import CITIZEN, make_application
from tests.conftest import at_china, csrf_from, post_form

DAY = date(2026, 11, 10)          # a Tuesday
PAGE = "/admin/baishui/applications/{}"


def _load(app, application_id: int) -> Application:
    with app.app_context(), tenant_scope(tenant_by_slug("baishui")):
        application = db.session.get(Application, application_id)
        db.session.expunge(application)
        return application


def _register(client, **data) -> int:
    response = post_form(client, "/admin/baishui/applications/new", {
        **{k: v for k, v in CITIZEN.items()}, "channel": "letter", "received_on": DAY.isoformat(), **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _step(client, application_id: int, step: str, data: dict):
    return post_form(client, PAGE.format(application_id), data, url=PAGE.format(application_id) + f"/{step}",
                     follow_redirects=True)


def test_the_office_registers_a_letter_and_handles_it_to_the_answer(demo, client, auth):
    with at_china(DAY):
        auth.login("li")
        form = client.get("/admin/baishui/applications/new").get_data(as_text=True)
        assert 'for="received_on"' in form and '<option value="letter">信函' in form and 'value="online"' not in form
        application_id = _register(client, received_on=date(2026, 11, 9).isoformat())   # signed for yesterday
        page = client.get(PAGE.format(application_id)).get_data(as_text=True)
        # the handling page: the applicant in full (not masked), the due date, the file
        for expected in ("张三", "110101199001011234", "13800001234", "青岚县白水镇人民路 1 号", "2026-12-07",
                         "登记信函申请", "确认收到申请（2026-11-09）"):
            assert expected in page, expected

        # 补正, asked and received the same day: the period runs again from then
        done = _step(client, application_id, "correction", {"correction_note": "请写明所需名单的年份和村组",
                                                             "correction_deadline": "2026-11-20"})
        assert "已要求补正" in done.get_data(as_text=True)
        assert _load(demo, application_id).status == "correction"
        done = _step(client, application_id, "corrected", {"corrected_on": DAY.isoformat()})
        assert "答复期限重新计算" in done.get_data(as_text=True)
        assert _load(demo, application_id).due_on == date(2026, 12, 8)

        # an extension over 20 working days: refused next to its field, nothing saved
        refused = _step(client, application_id, "extend", {"days": "21", "reason": "涉及多个村", "approved_by": "王镇长"})
        html = refused.get_data(as_text=True)
        assert refused.status_code == 200 and "最长不得超过 20 个工作日" in html and 'aria-invalid="true"' in html
        assert _load(demo, application_id).extended_days == 0
        _step(client, application_id, "extend", {"days": "10", "reason": "涉及多个村，需要汇总", "approved_by": "王镇长"})
        assert _load(demo, application_id).due_on == date(2026, 12, 22)
        # a second extension: refused
        again = _step(client, application_id, "extend", {"days": "1", "reason": "再延一天", "approved_by": "王镇长"})
        assert "只能延长一次" in again.get_data(as_text=True)
        assert _load(demo, application_id).due_on == date(2026, 12, 22)

        # an answer outside the closed list, and a withheld answer without its reason: refused
        outside = _step(client, application_id, "answer", {"answer": "ignore"})
        assert "请从规定的答复类型中选择" in outside.get_data(as_text=True)
        wrong = _step(client, application_id, "answer", {"answer": "partial", "answer_reason": "unable:not_held",
                                                          "answer_basis": "第十五条", "answer_explanation": "身份证号码"})
        assert "须选择具体理由" in wrong.get_data(as_text=True)
        assert _load(demo, application_id).answer == ""
        page = _step(client, application_id, "answer", {
            "answer": "partial", "answer_reason": "withhold:third_party_rights",
            "answer_basis": "《中华人民共和国政府信息公开条例》第十五条",
            "answer_explanation": "名单中的身份证号码和家庭住址"}).get_data(as_text=True)
        assert "已保存答复决定" in page and "<optgroup" in page
        application = _load(demo, application_id)
        assert (application.answer, application.answer_reason) == ("partial", "third_party_rights")


def test_another_towns_editor_reaches_none_of_it(demo, client, auth):
    with demo.app_context():
        application_id = make_application("baishui", received=None)
        other = create_user("liuhe-clerk", "river-willow-lamp-9")
        grant_role(SYSTEM, other, tenant_by_slug("liuhe"), "editor")
        _, token = issue_token(other, "office")
        db.session.commit()
    auth.login("liuhe-clerk", "river-willow-lamp-9")
    base = PAGE.format(application_id)
    for url in ("/admin/baishui/applications/", "/admin/baishui/applications/new", base,
                "/admin/baishui/applications/settings"):
        assert client.get(url).status_code == 404, url
    # under its own town, the other town's application is not found either
    assert client.get(f"/admin/liuhe/applications/{application_id}").status_code == 404
    csrf = csrf_from(client.get("/admin/account").get_data(as_text=True))
    for step in ("receipt", "correction", "extend", "answer", "letter/draft", "letter/approve", "delivery", "close"):
        assert client.post(f"{base}/{step}", data={"csrf_token": csrf}).status_code == 404, step
    headers = {"Authorization": f"Bearer {token}"}
    api = "/api/v1/tenants/baishui/applications/office"
    assert client.get(api, headers=headers).status_code == 404
    assert client.get(f"{api}/{application_id}", headers=headers).status_code == 404
    assert client.post(f"{api}/{application_id}/extension", headers=headers,
                       json={"days": 5, "reason": "x", "approved_by": "y"}).status_code == 404
    own = client.get(f"/api/v1/tenants/liuhe/applications/office/{application_id}", headers=headers)
    assert own.status_code == 404


def test_the_district_sees_its_towns_open_applications_with_days_left(demo, client, auth):
    with at_china(date(2026, 11, 2)), demo.app_context():
        make_application("baishui", received=date(2026, 11, 2), description="白水镇茶园补贴发放情况说明")
    with at_china(DAY):
        with demo.app_context():
            liuhe = make_application("liuhe", received=DAY, description="柳河镇河道整治工程的招标文件")
            make_application("chengguan", description="城关街道老旧小区改造计划")          # not received yet
        auth.login("wang")
        html = client.get("/admin/qinglan/applications/").get_data(as_text=True)
        for expected in ("白水镇茶园补贴", "柳河镇河道整治", "城关街道老旧小区", "白水镇", "柳河镇", 'data-label="单位"',
                         "2026-11-30", "2026-12-08", "待确认", 'class="table-scroll" tabindex="0" role="region"'):
            assert expected in html, expected
        # the nearest due date first; ?sort=-due turns it round; those not received at the end
        assert html.index("白水镇茶园补贴") < html.index("柳河镇河道整治") < html.index("城关街道老旧小区")
        reverse = client.get("/admin/qinglan/applications/?sort=-due").get_data(as_text=True)
        assert reverse.index("柳河镇河道整治") < reverse.index("白水镇茶园补贴")
        assert 'aria-sort="descending"' in reverse
        # the row links to the town's own handling page, which the district's staff may read
        assert f"/admin/liuhe/applications/{liuhe}" in html
        assert "柳河镇河道整治" in client.get(f"/admin/liuhe/applications/{liuhe}").get_data(as_text=True)
        # filter by status
        waiting = client.get("/admin/qinglan/applications/?status=awaiting_receipt").get_data(as_text=True)
        assert "城关街道老旧小区" in waiting and "柳河镇河道整治" not in waiting
        # the dashboard box counts them
        dashboard = client.get("/admin/qinglan/").get_data(as_text=True)
        assert "办理中的政府信息公开申请 <strong>3</strong> 件" in dashboard
    with at_china(date(2026, 12, 1)):
        auth.login("wang")
        html = client.get("/admin/qinglan/applications/").get_data(as_text=True)
        assert "已逾期" in html and "逾期 1 天" in html
        assert re.search(r"已逾期 <strong class=\"lapsed\">1</strong>", html)


def test_a_town_editor_sees_only_the_towns_own(demo, client, auth):
    with at_china(DAY):
        with demo.app_context():
            make_application("baishui", received=DAY, description="白水镇茶园补贴发放情况说明")
            make_application("liuhe", received=DAY, description="柳河镇河道整治工程的招标文件")
        auth.login("li")
        html = client.get("/admin/baishui/applications/").get_data(as_text=True)
        assert "白水镇茶园补贴" in html and "柳河镇河道整治" not in html
        assert 'data-label="单位"' not in html
        dashboard = client.get("/admin/baishui/").get_data(as_text=True)
        assert "办理中的政府信息公开申请 <strong>1</strong> 件" in dashboard


# --- the office API -------------------------------------------------------------------------------

def _token(app, username: str) -> dict:
    from core.accounts import user_by_username
    with app.app_context():
        _, token = issue_token(user_by_username(username), "office system")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_office_api_follows_the_same_rules(demo, client):
    headers = _token(demo, "li")
    api = "/api/v1/tenants/baishui/applications/office"
    with at_china(DAY):
        created = client.post(api, headers=headers, json={**CITIZEN, "channel": "fax"})
        assert created.status_code == 201, created.get_json()
        body = created.get_json()
        assert (body["status"], body["channel"], body["due_on"]) == ("awaiting_receipt", "fax", None)
        url = f"{api}/{body['id']}"
        assert client.post(f"{url}/receipt", headers=headers, json={"received_on": "2026-11-11"}).get_json() == {
            "error": "收到申请的日期不能晚于今天。"}
        received = client.post(f"{url}/receipt", headers=headers, json={"received_on": DAY.isoformat()})
        assert received.status_code == 200 and received.get_json()["due_on"] == "2026-12-08"
        assert client.post(f"{url}/receipt", headers=headers, json={"received_on": DAY.isoformat()}).status_code == 409
        assert client.post(f"{url}/correction", headers=headers,
                           json={"note": "请写明年份", "deadline": "2026-11-20"}).get_json()["status"] == "correction"
        assert client.post(f"{url}/corrected", headers=headers,
                           json={"corrected_on": DAY.isoformat()}).get_json()["status"] == "open"
        over = client.post(f"{url}/extension", headers=headers, json={"days": 21, "reason": "多", "approved_by": "王"})
        assert over.status_code == 400 and "最长不得超过 20 个工作日" in over.get_json()["error"]
        ok = client.post(f"{url}/extension", headers=headers, json={"days": 5, "reason": "多部门", "approved_by": "王"})
        assert ok.get_json()["due_on"] == "2026-12-15"
        second = client.post(f"{url}/extension", headers=headers, json={"days": 1, "reason": "再延", "approved_by": "王"})
        assert second.status_code == 409 and "只能延长一次" in second.get_json()["error"]
        outside = client.post(f"{url}/answer", headers=headers, json={"answer": "ignore"})
        assert outside.status_code == 400 and outside.get_json() == {"error": "请从规定的答复类型中选择。"}
        bare = client.post(f"{url}/answer", headers=headers, json={"answer": "withhold", "answer_reason": "state_secret"})
        assert bare.status_code == 400 and "法律依据" in bare.get_json()["error"]
        answered = client.post(f"{url}/answer", headers=headers, json={
            "answer": "withhold", "answer_reason": "state_secret", "answer_basis": "《中华人民共和国保守国家秘密法》",
            "answer_explanation": "全部内容"}).get_json()
        assert (answered["answer"], answered["answer_reason"]) == ("withhold", "state_secret")
        assert [e["kind"] for e in answered["file"]][-2:] == ["extended", "answer_set"]
        listed = client.get(api, headers=headers).get_json()
        assert listed["total"] == 1 and listed["items"][0]["name"] == "张三"
        assert client.get(f"{api}?status=bogus", headers=headers).status_code == 400
        # the reviewer may read but not act
        reviewer = _token(demo, "zhao")
        assert client.get(url, headers=reviewer).status_code == 200
        assert client.post(f"{url}/extension", headers=reviewer,
                           json={"days": 1, "reason": "x", "approved_by": "y"}).status_code == 403
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/tenants/{tenant_slug}/applications/office/{application_id}/extension"]["post"]
    assert operation["x-permission"] == "content.edit"


def test_a_due_date_in_a_year_without_its_holidays_is_marked_provisional(demo, client, auth):
    """A due date counted with weekends only (the year's arrangement not entered yet) says so."""
    from datetime import date

    from tests.applications.fixtures import make_application
    from tests.conftest import at_china
    with at_china(date(2030, 3, 4)):
        with demo.app_context():
            application_id = make_application("baishui", received=date(2030, 3, 4))
        auth.login("li")
        page = client.get(f"/admin/baishui/applications/{application_id}").get_data(as_text=True)
    assert "2030 年节假日安排尚未录入，暂按周末计算" in page


# --- review fixes: the list's filters and queries, contacts checked on every path -------------------

def test_the_office_api_list_runs_a_constant_number_of_queries(demo, client, count_queries):
    headers = _token(demo, "li")
    api = "/api/v1/tenants/baishui/applications/office"
    with at_china(DAY):
        with demo.app_context():
            first = make_application("baishui", received=DAY)
        client.get(api, headers=headers)                          # warm up (the token's first use)
        with count_queries() as one:
            assert client.get(api, headers=headers).get_json()["total"] == 1
        with demo.app_context():
            for _ in range(3):
                make_application("baishui", received=DAY)
        with count_queries() as four:
            body = client.get(api, headers=headers).get_json()
        assert body["total"] == 4 and first in [i["id"] for i in body["items"]]
        assert all(i["file"] for i in body["items"])             # the events came with the page
        assert len(four) == len(one), (len(one), len(four))


def test_the_supervision_link_lists_only_the_overdue(demo, client, auth):
    from plugins.applications import oversight
    with at_china(date(2026, 11, 2)), demo.app_context():
        make_application("baishui", received=date(2026, 11, 2), description="白水镇茶园补贴发放情况说明")
    with at_china(DAY), demo.app_context():
        make_application("baishui", received=DAY, description="白水镇道路硬化工程的验收报告")
    with at_china(date(2026, 12, 1)):
        with demo.test_request_context():
            town = tenant_by_slug("baishui")
            (notice,) = oversight.notices([town], date(2026, 12, 1))
        assert notice.count == 1 and "urgency=overdue" in notice.url
        auth.login("wang")
        html = client.get(notice.url).get_data(as_text=True)
        assert "白水镇茶园补贴" in html and "白水镇道路硬化" not in html
        assert "只显示已逾期的申请（1 件）" in html and ">显示全部办理中的申请</a>" in html
        assert "办理中 <strong>2</strong> 件" in html           # the counts stay the whole office's
        everything = client.get("/admin/baishui/applications/").get_data(as_text=True)
        assert "白水镇茶园补贴" in everything and "白水镇道路硬化" in everything and "只显示" not in everything
        # an unknown urgency is ignored
        assert "白水镇道路硬化" in client.get("/admin/baishui/applications/?urgency=bogus").get_data(as_text=True)


def test_the_list_loads_the_open_applications_once(demo, client, auth, monkeypatch):
    from plugins.applications import services
    calls = []
    real = services.office_rows
    monkeypatch.setattr(services, "office_rows", lambda *a, **k: calls.append(k) or real(*a, **k))
    with demo.app_context():
        make_application("baishui", received=None)
    auth.login("li")
    assert client.get("/admin/baishui/applications/").status_code == 200
    assert len(calls) == 1
    calls.clear()
    assert client.get("/admin/baishui/applications/?status=awaiting_receipt").status_code == 200
    assert len(calls) == 1


def test_the_offices_registration_checks_and_normalises_the_contacts(demo, client, auth):
    headers = _token(demo, "li")
    api = "/api/v1/tenants/baishui/applications/office"
    with at_china(DAY):
        for field, value, message in (("phone", "12", "请填写正确的手机号码或固定电话"),
                                      ("email", "not-an-address", "请填写正确的电子邮箱"),
                                      ("id_number", "110101199001011", "18 位居民身份证号码"),
                                      ("postcode", "5300", "邮政编码应为 6 位数字")):
            refused = client.post(api, headers=headers, json={**CITIZEN, "channel": "letter", field: value})
            assert refused.status_code == 400 and message in refused.get_json()["error"], (field, refused.get_json())
        created = client.post(api, headers=headers, json={**CITIZEN, "channel": "letter", "phone": "+86 138-0000-1234",
                                                          "email": " ZhangSan@Example.com ",
                                                          "id_number": "11010119900101123x"}).get_json()
        assert created["phone"] == "13800001234" and created["id_number"] == "11010119900101123X"
        assert created["email"].strip() == created["email"]
        # the admin page: the refusal next to its field
        auth.login("li")
        page = post_form(client, "/admin/baishui/applications/new", {
            **CITIZEN, "channel": "letter", "received_on": DAY.isoformat(), "phone": "abc"}).get_data(as_text=True)
        assert "请填写正确的手机号码或固定电话" in page and 'aria-invalid="true"' in page
        with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
            assert db.session.query(Application).count() == 1


def test_one_rule_for_the_units_and_one_for_dates(demo, ctx):
    """Which unit kinds receive applications is said once (plugin.TENANT_KINDS); every step reads
    its dates with one helper, with the same messages."""
    import pytest

    from core.errors import DomainError
    from plugins.applications import appeals, fees, plugin, services
    assert services.TENANT_KINDS is plugin.TENANT_KINDS and plugin.plugin_info().tenant_kinds is plugin.TENANT_KINDS
    assert not hasattr(fees, "_day") and not hasattr(appeals, "_date") and not hasattr(services, "_day")
    with pytest.raises(DomainError, match="请填写缴费日期") as missing:
        services.parse_day(None, "缴费日期", "paid_on")
    assert missing.value.field == "paid_on"
    with pytest.raises(DomainError, match="格式不正确，应为 YYYY-MM-DD"):
        services.parse_day("2026-13-01", "送达日期", "delivered_on")
    assert services.parse_day("", "审结日期", "decided_on", required=False) is None
    assert services.parse_day("2026-11-10", "x", "x") == DAY == services.parse_day(DAY, "x", "x")
