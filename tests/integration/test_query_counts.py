"""No N+1: every public page type runs the same number of SQL statements whatever the amount of
data behind it (more records, comments, open days, articles, villages)."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from tests.catalog.fixtures import make_record
from tests.gazette.fixtures import make_issue
from tests.open_day.fixtures import make_event
from tests.opinions.fixtures import comment, make_consultation

REQUIRES_PLUGINS = ("catalog", "gazette", "open_day", "opinions")


def page_urls(app) -> list[str]:
    from plugins.catalog.models import Record
    from plugins.gazette.models import GazetteArticle, GazetteIssue
    from plugins.opinions.models import Consultation
    with app.app_context(), across_tenants(None, reason="test: page addresses"):
        record = db.session.scalar(select(Record).where(Record.status == "published", Record.tenant_id ==
                                                        tenant_by_slug("baishui").id).order_by(Record.id))
        consultation = db.session.scalar(select(Consultation).where(Consultation.title == "查询计数用征求意见稿"))
        answered = next(c for c in db.session.scalars(select(Consultation)) if c.status() == "answered")
        issue = db.session.scalar(select(GazetteIssue).where(GazetteIssue.status == "published")
                                  .order_by(GazetteIssue.total_number))
        article = db.session.scalar(select(GazetteArticle).where(GazetteArticle.issue_id == issue.id)
                                    .order_by(GazetteArticle.id))
        return [
            "/qinglan/", "/qinglan/baishui/", "/qinglan/baishui/dongpo/",
            "/qinglan/catalog/", "/qinglan/baishui/catalog/", "/qinglan/baishui/catalog/records/",
            f"/qinglan/baishui/catalog/records/{record.id}",
            "/qinglan/opinions/", "/qinglan/baishui/opinions/", f"/qinglan/baishui/opinions/{consultation.id}",
            f"/{answered.tenant.url_path}/opinions/{answered.id}/feedback",
            "/qinglan/open-day/", "/qinglan/baishui/open-day/",
            "/qinglan/gazette/", f"/qinglan/gazette/{issue.year}/{issue.number}/",
            f"/qinglan/gazette/articles/{article.id}", "/qinglan/gazette/search?q=管理",
            "/qinglan/search?q=公开", "/qinglan/baishui/search?q=公开&type=catalog.record",
            "/qinglan/baishui/sitemap.xml", "/qinglan/catalog/feed.atom",
        ]


def counts(client, count_queries, urls) -> dict[str, int]:
    out = {}
    for url in urls:
        client.get(url)                       # warm: first-use queries (plugin settings, …) are not the point
        with count_queries() as statements:
            response = client.get(url)
            assert response.status_code == 200, url
        out[url] = len(statements)
    return out


def test_every_public_page_type_runs_a_constant_number_of_queries(demo_content, client, count_queries, runner):
    demo = demo_content
    with demo.app_context():
        consultation_id = make_consultation("baishui", title="查询计数用征求意见稿", moderation="immediate")
        comment("baishui", consultation_id)
    urls = page_urls(demo)
    # The visitor has a session from the start (a page with a form gave it a CSRF token): reading
    # it is one statement more on every page, the same before and after.
    client.get(f"/qinglan/baishui/opinions/{consultation_id}")
    assert client.get_cookie("session") is not None
    before = counts(client, count_queries, urls)

    # Grow every kind of data behind those pages.
    for i in range(3):
        runner.invoke(args=["tenants", "create", f"growvillage{i}", "--name", f"增长村{i}", "--kind", "village",
                            "--parent", "baishui"])
    with demo.app_context():
        for i in range(12):
            make_record("baishui", "法律援助", f"公开指南{i}", doc_no=f"白政发〔2026〕{i + 50}号")
            make_record("dongpo", "财务收支和“三资”管理情况", f"东坡村公开第{i}期")
            comment("baishui", consultation_id, f"第{i}条意见：建议公开更多细节。")
        for i in range(5):
            make_event("baishui", title=f"公开日活动{i}")
            make_consultation("baishui", title=f"公开征求意见{i}")
        make_issue(year=2020, number=5, publish=True, articles=[
            {"section": "规范性文件", "title": f"青岚县公开管理办法{i}", "doc_no": f"青政发〔2020〕{i + 1}号",
             "issuers": ["青岚县人民政府", "青岚县财政局"], "body": "<p>第一条　为规范公开管理，制定本办法。</p>"}
            for i in range(15)])
        with tenant_scope(tenant_by_slug("baishui")):
            db.session.commit()
    after = counts(client, count_queries, urls)
    assert after == before
