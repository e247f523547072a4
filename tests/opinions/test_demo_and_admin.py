"""The demo consultations, and the editor's management page end to end."""
from __future__ import annotations

import pytest

from datetime import timedelta

from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.opinions import services
from plugins.opinions.models import Consultation
from tests.conftest import post_form
from tests.opinions.fixtures import comment, make_consultation

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


def test_demo_has_an_open_and_an_answered_consultation(demo_content, demo_output, client):
    assert "意见征集：白水镇" in demo_output
    with demo_content.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            market = db.session.query(Consultation).one()
            assert market.status() == "open"
            on_articles = [c for c in services.published_comments(market) if c.article_id]
            assert len(on_articles) >= 2
        with tenant_scope(tenant_by_slug("qinglan")):
            parking = db.session.query(Consultation).one()
            assert parking.status() == "answered"
            rejected = [c for c in services.published_comments(parking) if c.effective_disposition == "rejected"]
            assert rejected and all(c.effective_reason for c in rejected)
    html = client.get(f"/qinglan/opinions/{parking.id}/feedback").get_data(as_text=True)
    assert "不予采纳" in html and "新能源汽车停车优惠由省级政策统一规定" in html


def test_the_editor_answers_groups_and_publishes_from_the_web(demo, client, auth):
    with demo.app_context():
        cid = make_consultation()
        for i in range(3):
            comment("baishui", cid, content=f"意见{i}：建议增加车位。")
        with tenant_scope(tenant_by_slug("baishui")):
            c = db.session.get(Consultation, cid)
            c.ends_on = c.starts_on + timedelta(days=1)
            db.session.commit()
            ids = [x.id for x in services.published_comments(c)]
    auth.login("li")
    page = client.get(f"/admin/baishui/opinions/{cid}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "还有 3 条已公开的意见没有处理结果" in html
    grouped = post_form(client, f"/admin/baishui/opinions/{cid}", {
        "group-title": "建议增加车位", "group-comment_ids": [str(ids[0]), str(ids[1])], "group-disposition": "partly",
        "group-reason": "东侧停车场增加 20 个车位。"}, url=f"/admin/baishui/opinions/{cid}/groups", follow_redirects=True)
    assert "已合并答复 2 条意见" in grouped.get_data(as_text=True)
    post_form(client, f"/admin/baishui/opinions/{cid}", {"disposition": "adopted", "reason": ""},
              url=f"/admin/baishui/opinions/{cid}/comments/{ids[2]}/disposition")
    done = post_form(client, f"/admin/baishui/opinions/{cid}", {"intro": "感谢参与。"},
                     url=f"/admin/baishui/opinions/{cid}/feedback", follow_redirects=True)
    assert "意见采纳情况已发布" in done.get_data(as_text=True)
    report = client.get(f"/qinglan/baishui/opinions/{cid}/feedback").get_data(as_text=True)
    assert "建议增加车位" in report and "东侧停车场增加 20 个车位" in report and "感谢参与" in report
