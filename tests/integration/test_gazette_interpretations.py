"""A 解读 of a gazette article (issue 21): the catalog's record links the article, found by 文号 with
ordinary brackets through the gazette's lookup_documents; the article's page lists the 解读 (the
document_references hook) and the 解读's page links the article; the gazette's own "reprint a
document" search never offers the gazette's own articles; drafts are never offered."""
from __future__ import annotations

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import services as catalog
from plugins.gazette import services as gazette
from plugins.gazette.models import GazetteArticle
from tests.catalog.fixtures import leaf
from tests.gazette.fixtures import make_issue

REQUIRES_PLUGINS = ("catalog", "gazette")


def _article_id(issue_id: int) -> int:
    with tenant_scope(tenant_by_slug("qinglan")):
        return db.session.scalar(db.select(GazetteArticle.id).where(GazetteArticle.issue_id == issue_id))


def test_a_record_interprets_a_gazette_article_and_both_pages_link(demo, client):
    with demo.app_context():
        issue_id = make_issue(year=2026, number=3, publish=True)
        article_id = _article_id(issue_id)
        draft_article = _article_id(make_issue(year=2026, number=4))
        county = tenant_by_slug("qinglan")
        with tenant_scope(county):
            found = catalog.find_documents(county, "青政发[2026]3号")           # ordinary brackets
            assert [d.ref for d in found if d.ref.startswith("gazette:")] == [f"gazette:article:{article_id}"]
            assert not [d for d in catalog.find_documents(county, "青政发〔2026〕4号") if d.ref.startswith("gazette:")]
            record = catalog.create_record(SYSTEM, county, {
                "item_id": leaf(county, "行政规范性文件").id, "title": "《青岚县测试管理办法》政策问答",
                "body": "<p>问：办法何时施行？答：自印发之日起施行。</p>", "interp_form": "qa",
                "documents": [f"gazette:article:{article_id}"]})
            catalog.publish(SYSTEM, record, review_confirmed=True)
            db.session.commit()
            record_id = record.id
            # The gazette's reprint search offers other plugins' documents that carry their text only.
            assert all(d.plugin != "gazette" for d in gazette.find_sources(county, "青岚县测试管理办法"))
            assert gazette.source(county, f"gazette:article:{article_id}") is None
    article_page = client.get(f"/qinglan/gazette/articles/{article_id}").get_data(as_text=True)
    assert "相关解读和链接" in article_page and f'href="/qinglan/catalog/records/{record_id}"' in article_page
    assert "政策解读（问答）：《青岚县测试管理办法》政策问答" in article_page
    interpretation_page = client.get(f"/qinglan/catalog/records/{record_id}").get_data(as_text=True)
    assert f'href="/qinglan/gazette/articles/{article_id}"' in interpretation_page
    assert draft_article != article_id


def test_an_article_without_interpretations_shows_no_empty_block(demo, client):
    with demo.app_context():
        article_id = _article_id(make_issue(year=2026, number=5, publish=True))
    assert "相关解读和链接" not in client.get(f"/qinglan/gazette/articles/{article_id}").get_data(as_text=True)


@pytest.mark.needs_plugins("opinions")
def test_the_gazettes_reprint_search_offers_documents_with_their_text_not_consultations(demo, client):
    from tests.opinions.fixtures import make_consultation
    with demo.app_context():
        make_consultation("qinglan", title="青岚县城区绿化管理办法（征求意见稿）")
        county = tenant_by_slug("qinglan")
        with tenant_scope(county):
            from core.plugins import collect
            linked = collect(demo.extensions["cms"].hook_for(county, "lookup_documents"), tenant=county,
                             query="城区绿化管理办法", refs=None)
            offered = gazette.find_sources(county, "城区绿化管理办法")
    assert [d.plugin for d in linked] == ["opinions"]          # other plugins may link the consultation...
    assert offered == []                                       # ...but the gazette has no text to reprint
