"""Answers and the feedback report: reasons are mandatory, nothing left unanswered, one batch."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.errors import Conflict, DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.opinions import services
from plugins.opinions.models import Consultation
from tests.conftest import post_form
from tests.opinions.fixtures import comment, make_consultation

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


@pytest.fixture
def closed(demo, ctx):
    """A consultation that has just closed, with four published comments."""
    cid = make_consultation()
    codes = [comment("baishui", cid, content=f"意见{i}：建议夜间停车免费。", author_name=f"王{i}") for i in range(4)]
    with tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        c.ends_on = c.starts_on + timedelta(days=1)  # as if the period had ended
        db.session.commit()
        return cid, [services.comment_by_code(code).id for code in codes]


def test_rejection_without_a_reason_is_refused_by_the_service(closed):
    cid, ids = closed
    with tenant_scope(tenant_by_slug("baishui")):
        first = db.session.get(services.Comment, ids[0])
        for disposition in ("rejected", "partly"):
            with pytest.raises(DomainError, match="必须说明理由"):
                services.set_disposition(SYSTEM, first, disposition, "  ")
        services.set_disposition(SYSTEM, first, "adopted")
        assert first.disposition == "adopted"


def test_feedback_cannot_be_published_with_comments_left_unanswered(closed):
    cid, ids = closed
    with tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        services.set_disposition(SYSTEM, db.session.get(services.Comment, ids[0]), "adopted")
        with pytest.raises(DomainError, match="还有 3 条已公开的意见没有处理结果"):
            services.publish_feedback(SYSTEM, c)
        services.save_group(SYSTEM, c, title="建议夜间停车免费", comment_ids=ids[1:3], disposition="rejected",
                            reason="夜间泊位周转需要，维持按次收费。")
        services.set_disposition(SYSTEM, db.session.get(services.Comment, ids[3]), "irrelevant")
        services.publish_feedback(SYSTEM, c, "共收到意见 4 条。")
        assert c.status() == "answered"
        with pytest.raises(Conflict, match="反馈已发布"):
            services.set_disposition(SYSTEM, db.session.get(services.Comment, ids[0]), "rejected", "改主意")


def test_feedback_only_after_the_period(demo, ctx):
    cid = make_consultation()
    with tenant_scope(tenant_by_slug("baishui")):
        with pytest.raises(Conflict, match="结束后才能发布"):
            services.publish_feedback(SYSTEM, db.session.get(Consultation, cid))


def test_rejection_without_a_reason_is_refused_by_the_form_and_the_api(closed, client, auth, runner):
    cid, ids = closed
    auth.login("li")
    response = post_form(client, f"/admin/baishui/opinions/{cid}", {"disposition": "rejected", "reason": ""},
                         url=f"/admin/baishui/opinions/{cid}/comments/{ids[0]}/disposition", follow_redirects=True)
    assert "“不予采纳”必须说明理由" in response.get_data(as_text=True)
    token = runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]
    api = client.put(f"/api/v1/tenants/baishui/opinions/comments/{ids[0]}/disposition",
                     headers={"Authorization": f"Bearer {token}"}, json={"disposition": "rejected"})
    assert api.status_code == 400 and "必须说明理由" in api.get_json()["error"]
    with tenant_scope(tenant_by_slug("baishui")):
        assert db.session.get(services.Comment, ids[0]).disposition is None
    unanswered = post_form(client, f"/admin/baishui/opinions/{cid}", {"intro": ""},
                           url=f"/admin/baishui/opinions/{cid}/feedback", follow_redirects=True)
    assert "没有处理结果" in unanswered.get_data(as_text=True)


def test_the_report_page_csv_and_tracking_show_the_answers(closed, client):
    cid, ids = closed
    with tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        services.set_disposition(SYSTEM, db.session.get(services.Comment, ids[0]), "adopted", "已修改第三条。")
        services.save_group(SYSTEM, c, title="建议夜间停车免费", comment_ids=ids[1:3], disposition="partly",
                            reason="老旧小区周边夜间免费。")
        services.set_disposition(SYSTEM, db.session.get(services.Comment, ids[3]), "rejected", "与上位政策不一致。")
        services.add_offline_comment(SYSTEM, c, {"source": "letter", "content": "来信：支持方案。"})
        db.session.commit()
        letter = [x for x in services.published_comments(c) if x.source == "letter"][0]
        services.set_disposition(SYSTEM, letter, "adopted")
        services.publish_feedback(SYSTEM, c, "感谢社会各界的意见。")
        db.session.commit()
        code = db.session.get(services.Comment, ids[3]).tracking_code
        report = services.feedback_report(c)
    assert report["received"] == 5 and dict(report["by_source"]) == {"网上留言": 4, "来信": 1}
    assert dict(report["by_disposition"]) == {"采纳": 2, "部分采纳": 2, "不予采纳": 1, "与本次征求意见无关": 0}
    assert report["adoption_rate"] == pytest.approx(4 / 5)
    html = client.get(f"/qinglan/baishui/opinions/{cid}/feedback").get_data(as_text=True)
    assert "采纳（含部分采纳）率 80%" in html and "建议夜间停车免费" in html and "与上位政策不一致" in html
    assert 'media="print"' in html and "王0" not in html
    rows = list(csv.reader(io.StringIO(client.get(f"/qinglan/baishui/opinions/{cid}/feedback.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["答复编号", "意见概要", "涉及条款"] and rows[1][0] == "G1" and len(rows) == 5
    tracked = client.get(f"/qinglan/baishui/opinions/track?code={code}").get_data(as_text=True)
    assert "不予采纳" in tracked and "与上位政策不一致" in tracked
    api = client.get(f"/api/v1/tenants/baishui/opinions/track/{code}").get_json()
    assert api["disposition"] == "rejected" and api["reason"] == "与上位政策不一致。"


def test_answers_stay_hidden_until_the_feedback_is_published(closed, client):
    cid, ids = closed
    with tenant_scope(tenant_by_slug("baishui")):
        services.set_disposition(SYSTEM, db.session.get(services.Comment, ids[0]), "rejected", "内部草拟的理由")
        db.session.commit()
        code = db.session.get(services.Comment, ids[0]).tracking_code
    assert "内部草拟的理由" not in client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert "内部草拟的理由" not in client.get(f"/qinglan/baishui/opinions/track?code={code}").get_data(as_text=True)
    assert client.get(f"/api/v1/tenants/baishui/opinions/track/{code}").get_json()["reason"] is None
    assert client.get(f"/qinglan/baishui/opinions/{cid}/feedback").status_code == 404


def test_listings_district_aggregation_and_feed(demo_content, client):
    district = client.get("/qinglan/opinions/").get_data(as_text=True)
    assert "各乡镇（街道）正在征集" in district and "白水镇集贸市场改造提升方案" in district
    answered = client.get("/qinglan/opinions/?status=answered").get_data(as_text=True)
    assert "青岚县城区机动车停放服务收费管理办法" in answered
    feed = client.get("/qinglan/baishui/opinions/feed.atom")
    assert feed.mimetype == "application/atom+xml" and "白水镇集贸市场改造提升方案".encode() in feed.data
    report = client.get("/api/v1/tenants/qinglan/opinions/consultations").get_json()
    assert report[0]["status"] == "answered"


def test_pending_comments_block_the_feedback_and_hidden_ones_leave_their_group(demo, ctx):
    cid = make_consultation(moderation="review")
    codes = [comment("baishui", cid, content=f"意见{i}：建议夜间停车免费。") for i in range(3)]
    with tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        first, second, third = [services.comment_by_code(x) for x in codes]
        services.moderate(SYSTEM, first, "publish")
        services.moderate(SYSTEM, second, "publish")
        group = services.save_group(SYSTEM, c, title="夜间免费", comment_ids=[first.id, second.id],
                                    disposition="rejected", reason="维持按次收费。")
        c.ends_on = c.starts_on + timedelta(days=1)
        with pytest.raises(DomainError, match="还有 1 条意见尚未审核"):
            services.publish_feedback(SYSTEM, c)
        services.moderate(SYSTEM, third, "hide", reason="含手机号")
        services.moderate(SYSTEM, first, "hide", reason="重复广告")
        db.session.flush()
        db.session.expire(group, ["comments"])
        assert [x.id for x in group.comments] == [second.id] and first.disposition is None
        services.publish_feedback(SYSTEM, c)


def test_the_district_page_lists_only_towns_where_people_can_follow_the_link(demo_content, client):
    assert "白水镇集贸市场改造提升方案" in client.get("/qinglan/opinions/").get_data(as_text=True)
    with demo_content.app_context():
        from core.accounts import SYSTEM as system
        from core.tenants.provisioning import set_plugins
        baishui = tenant_by_slug("baishui")
        set_plugins(system, baishui, [p for p in baishui.enabled_plugins if p != "opinions"])
        db.session.commit()
    assert "白水镇集贸市场改造提升方案" not in client.get("/qinglan/opinions/").get_data(as_text=True)


def test_offline_dates_must_fall_in_the_consultation(demo, ctx):
    from core.clock import china_today
    cid = make_consultation()
    with tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        for day in ("0001-01-01", (china_today() + timedelta(days=3)).isoformat()):
            with pytest.raises(DomainError, match="收到日期应在"):
                services.add_offline_comment(SYSTEM, c, {"source": "letter", "content": "来信意见内容。", "received_on": day})
