"""Consultations: the 30-day rule, statuses from dates and actions, articles, extensions."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.errors import Conflict, DomainError
from core.tenants import tenant_by_slug, tenant_scope
from core.clock import china_today
from plugins.opinions import services
from plugins.opinions.models import Consultation
from tests.opinions.fixtures import DRAFT, make_consultation

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


def test_a_period_shorter_than_30_days_needs_a_public_reason(demo, ctx, client):
    """The start day is not counted (民法典 第二百零一条): from today to today + 19 is 19 days."""
    town = tenant_by_slug("baishui")
    today = china_today()
    with tenant_scope(town):
        with pytest.raises(DomainError, match="“其他”类事项征求意见期限一般不少于 30 日（本次 19 日，最早可截止于"):
            services.create_consultation(SYSTEM, town, {"title": "甲", "draft_html": DRAFT, "starts_on": today,
                                                        "ends_on": today + timedelta(days=19)})
        db.session.rollback()
        c = services.create_consultation(SYSTEM, town, {
            "title": "防汛应急预案修订", "draft_html": DRAFT, "starts_on": today, "ends_on": today + timedelta(days=19),
            "short_period_reason": "汛期临近，需在 6 月 1 日前印发"})
        services.announce(SYSTEM, c)
        db.session.commit()
        cid = c.id
    html = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert "缩短征集期限的理由：</strong>汛期临近，需在 6 月 1 日前印发" in html
    assert "共 19 日" in html


def test_status_follows_dates_and_actions(demo, ctx):
    ids = {state: make_consultation(state=state, title=state) for state in ("draft", "scheduled", "open", "closed")}
    with tenant_scope(tenant_by_slug("baishui")):
        for state, cid in ids.items():
            assert db.session.get(Consultation, cid).status() == state
        c = db.session.get(Consultation, ids["open"])
        assert c.status(today=c.ends_on) == "open" and c.status(today=c.ends_on + timedelta(days=1)) == "closed"


def test_articles_are_split_by_article_or_by_paragraph(demo, ctx):
    html = "<h2>第一章 总则</h2><p>第一条 目的。</p><p>说明段落。</p><p>第二条 范围。</p><ol><li>甲</li></ol><p>第十二条 施行。</p>"
    assert [label for label, _ in services.split_articles(html)] == ["第一条", "第二条", "第十二条"]
    first = services.split_articles(html)[0][1]
    assert first.startswith("<h2>第一章 总则</h2>") and "说明段落" in first
    assert [label for label, _ in services.split_articles("<p>甲</p><p>乙</p><ul><li>丙</li></ul>")] == ["第1段", "第2段", "第3段"]
    cid = make_consultation()
    with tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        assert [a.label for a in c.articles] == ["第一条", "第二条", "第三条", "第四条", "第五条"]


def test_drafts_are_not_public(demo, client):
    with demo.app_context():
        cid = make_consultation(state="draft", title="内部草稿")
    assert client.get(f"/qinglan/baishui/opinions/{cid}").status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/opinions/consultations/{cid}").status_code == 404
    assert "内部草稿" not in client.get("/qinglan/baishui/opinions/?status=open").get_data(as_text=True)


def test_an_extension_records_its_reason_and_is_shown(demo, ctx, client):
    cid = make_consultation()
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        c = db.session.get(Consultation, cid)
        old_end = c.ends_on
        with pytest.raises(DomainError, match="必须说明理由"):
            services.extend(SYSTEM, c, old_end + timedelta(days=10), "")
        with pytest.raises(DomainError, match="必须晚于"):
            services.extend(SYSTEM, c, old_end, "理由")
        services.extend(SYSTEM, c, old_end + timedelta(days=10), "应群众要求增加一次座谈会")
        db.session.commit()
        assert c.ends_on == old_end + timedelta(days=10)
        assert c.extensions[0]["from"] == old_end.isoformat()
    html = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    assert f"截止日期由 {old_end.isoformat()} 延长至" in html and "应群众要求增加一次座谈会" in html


def test_after_announcement_the_text_kind_and_dates_are_fixed(demo, ctx):
    cid = make_consultation()
    with tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        with pytest.raises(Conflict, match="正文、事项类别和起止日期不能再改"):
            services.update_consultation(SYSTEM, c, {"draft_html": "<p>第一条 换掉。</p>"})
        # The kind decided the minimum period the public was given: it cannot change afterwards.
        with pytest.raises(Conflict, match="正文、事项类别和起止日期不能再改"):
            services.update_consultation(SYSTEM, c, {"kind": "normative"})
        assert c.kind == "other"
        assert services.update_consultation(SYSTEM, c, {"kind": "other", "responsible_unit": "镇党政办"}) \
            == ["responsible_unit"]


def test_an_editor_drafts_and_announces_from_the_web(demo, client, auth):
    from tests.conftest import post_form
    auth.login("li")
    today = china_today()
    response = post_form(client, "/admin/baishui/opinions/new", {
        "title": "白水镇农贸市场管理办法（征求意见稿）", "draft_html": "<p>第一条 甲。</p><p>第二条 乙。<script>x()</script></p>",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(), "moderation": "review"})
    assert response.status_code == 302
    manage = response.headers["Location"]
    assert "发布征集公告" in client.get(manage).get_data(as_text=True)
    post_form(client, manage, {}, url=manage + "/announce")
    html = client.get(manage).get_data(as_text=True)
    assert "已发布征集公告" in html and "正在征集" in html
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        c = db.session.query(Consultation).filter_by(title="白水镇农贸市场管理办法（征求意见稿）").one()
        assert "script" not in c.draft_html and len(c.articles) == 2


@pytest.mark.parametrize("html", ["第一条 甲<br>第二条 乙<br>第三条 丙", "<p>第一条 甲</p><hr><p>第二条 乙</p><img src='/x'><p>第三条 丙</p>",
                                  "<p>前言</p><br><p>第一段</p>", "<p>第一条 甲<br>续</p><p>第二条 乙"])
def test_splitting_never_loses_text(html):
    from core.sanitize import clean_html, plain_text
    cleaned = clean_html(html)
    articles = services.split_articles(cleaned)
    assert plain_text("".join(h for _, h in articles)).replace(" ", "") == plain_text(cleaned).replace(" ", "")
    assert len(articles) >= 2


def test_announcing_late_counts_the_period_from_the_announcement(demo, ctx):
    town = tenant_by_slug("baishui")
    today = china_today()
    with tenant_scope(town):
        c = services.create_consultation(SYSTEM, town, {"title": "旧草稿", "draft_html": DRAFT,
                                                        "starts_on": today - timedelta(days=20),
                                                        "ends_on": today + timedelta(days=10)})
        with pytest.raises(DomainError, match=f"从 {today:%Y-%m-%d} 的次日起算，到截止日期只有 10 日"):
            services.announce(SYSTEM, c)
        with pytest.raises(DomainError, match="只有 29 日"):
            services.update_consultation(SYSTEM, c, {"ends_on": today + timedelta(days=29)})
            services.announce(SYSTEM, c)
        services.update_consultation(SYSTEM, c, {"ends_on": today + timedelta(days=30)})
        services.announce(SYSTEM, c)
        assert c.starts_on == today and c.period_days == 30


def test_editing_an_announced_consultation_from_the_web_keeps_the_text(demo, client, auth):
    from tests.conftest import post_form
    with demo.app_context():
        cid = make_consultation()
    auth.login("li")
    response = post_form(client, f"/admin/baishui/opinions/{cid}/edit", {
        "title": "改正后的标题", "responsible_unit": "镇党政办", "moderation": "immediate", "kind": "normative",
        "draft_html": "<p>第一条 篡改</p>\r\n<p>第二条 篡改</p>"})
    assert response.status_code == 302
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        c = db.session.get(Consultation, cid)
        assert c.title == "改正后的标题" and "篡改" not in c.draft_html
        assert c.kind == "other"   # the kind is fixed once announced, like the text and the dates
