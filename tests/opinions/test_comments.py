"""Public comments: only while open, with consent, limits, moderation, tracking codes, masking."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.accounts import SYSTEM
from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.opinions import services
from plugins.opinions.models import Comment, Consultation
from tests.conftest import csrf_from
from tests.opinions.fixtures import comment, make_consultation

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


def _count() -> int:
    with across_tenants(None, reason="test check"):
        return db.session.scalar(select(func.count()).select_from(Comment))


def post_comment(client, cid: int, **data):
    page = client.get(f"/qinglan/baishui/opinions/{cid}")
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "content": "建议延长早市时间，方便老人买菜。",
            "consent": "y", **data}
    return client.post(f"/qinglan/baishui/opinions/{cid}/comments", data=form)


@pytest.mark.parametrize("state, message", [("closed", "已于"), ("scheduled", "将于")])
def test_a_comment_outside_the_period_is_refused_and_nothing_is_stored(demo, client, state, message):
    with demo.app_context():
        cid = make_consultation(state=state)
        open_id = make_consultation(state="open", title="正在征集")
    page = client.get(f"/qinglan/baishui/opinions/{open_id}")  # a page with a form, for the token
    response = client.post(f"/qinglan/baishui/opinions/{cid}/comments", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "content": "迟到的意见，希望还能收下。", "consent": "y"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    api = client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments",
                      json={"content": "迟到的意见，希望还能收下。", "consent": True})
    assert api.status_code == 400 and message in api.get_json()["error"]
    with demo.app_context():
        assert _count() == 0


def test_the_public_comments_on_an_article_and_tracks_it_with_the_code(demo, client):
    with demo.app_context():
        cid = make_consultation(moderation="review")
        with tenant_scope(tenant_by_slug("baishui")):
            article = db.session.get(Consultation, cid).articles[2]
            article_id, label = article.id, article.label
    response = post_comment(client, cid, article_id=str(article_id), author_name="刘芳", contact="13900002222",
                            content="摊位费涨幅过大，建议分两年调整。")
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    code = thanks.split('class="tracking-code">')[1].split("<")[0]
    assert len(code) == 14 and code.count("-") == 2
    assert client.get(response.headers["Location"]).status_code == 302  # the code is shown once
    tracked = client.get(f"/qinglan/baishui/opinions/track?code={code.lower().replace('-', ' ')}").get_data(as_text=True)
    assert "待审核" in tracked and label in tracked and "摊位费涨幅过大" in tracked
    page = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert "摊位费涨幅过大" not in page  # awaiting review
    assert "没有找到这个查询码" in client.get("/qinglan/baishui/opinions/track?code=AAAA-BBBB-CCCC").get_data(as_text=True)


def test_consent_contact_and_length_rules(demo, client):
    with demo.app_context():
        cid = make_consultation(contact_required=True)
    no_consent = post_comment(client, cid, consent="", contact="13900002222")
    assert "请阅读个人信息保护说明并勾选同意" in no_consent.get_data(as_text=True)
    no_contact = post_comment(client, cid)
    assert "需要留下联系电话或电子邮箱" in no_contact.get_data(as_text=True)
    bad_contact = post_comment(client, cid, contact="打我电话")
    assert "请填写正确的手机号码" in bad_contact.get_data(as_text=True)
    too_long = post_comment(client, cid, contact="13900002222", content="长" * 2001)
    assert too_long.status_code == 400
    too_short = post_comment(client, cid, contact="13900002222", content="好")
    assert "至少 5 个字" in too_short.get_data(as_text=True)
    kept = too_short.get_data(as_text=True)
    assert 'value="13900002222"' in kept  # what was typed is kept
    with demo.app_context():
        assert _count() == 0
    assert post_comment(client, cid, contact="zhang@example.cn").status_code == 302


def test_the_honeypot_stores_nothing(demo, client):
    with demo.app_context():
        cid = make_consultation()
    assert post_comment(client, cid, website="http://spam.example").status_code == 400
    api = client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments",
                      json={"content": "买药请点击链接", "consent": True, "website": "x"})
    assert api.status_code == 400
    with demo.app_context():
        assert _count() == 0


def test_names_are_masked_and_contacts_never_public(demo, client):
    with demo.app_context():
        cid = make_consultation()
        comment("baishui", cid, author_name="刘芳", contact="13900002222")
    page = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert "刘*" in page and "刘芳" not in page and "13900002222" not in page and "139****2222" not in page
    api = client.get(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments").get_data(as_text=True)
    assert "刘*" in api and "刘芳" not in api and "1390000" not in api


def test_moderation_hide_needs_a_reason_and_duplicates_point_at_an_original(demo, ctx):
    cid = make_consultation(moderation="review")
    codes = [comment("baishui", cid, content=f"第{i}条意见：建议增加车位。") for i in range(3)]
    with tenant_scope(tenant_by_slug("baishui")):
        first, second, third = [services.comment_by_code(c) for c in codes]
        with pytest.raises(Exception, match="说明理由"):
            services.moderate(SYSTEM, first, "hide")
        services.moderate(SYSTEM, first, "publish")
        with pytest.raises(Exception, match="已公开的另一条意见"):
            services.moderate(SYSTEM, second, "duplicate", duplicate_of=third.id)
        services.moderate(SYSTEM, second, "duplicate", duplicate_of=first.id)
        services.moderate(SYSTEM, third, "hide", reason="含有他人手机号码")
        assert (first.status, second.status, third.status) == ("published", "duplicate", "hidden")


def test_editors_enter_offline_opinions_with_their_source(demo, client, auth):
    from tests.conftest import post_form
    from datetime import timedelta

    from core.clock import china_today
    with demo.app_context():
        cid = make_consultation()
    auth.login("li")
    # received yesterday, inside the consultation (open since three days ago), whatever today is
    received = (china_today() - timedelta(days=1)).isoformat()
    response = post_form(client, f"/admin/baishui/opinions/{cid}", {
        "offline-source": "hearing", "offline-received_on": received, "offline-content": "听证代表建议分时段收费。"},
        url=f"/admin/baishui/opinions/{cid}/offline", follow_redirects=True)
    assert "已录入听证会意见" in response.get_data(as_text=True)
    public = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert "听证会" in public and "听证代表建议分时段收费" in public
