"""The public archive: browsing by year, issue and section, search by title, full text and 文号,
facets, the phone-friendly article pages and the feed, on the demo gazette."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from core.clock import china_today
from core.db import db
from core.sanitize import plain_text
from core.search import normalise
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import services
from plugins.gazette.models import GazetteArticle, GazetteIssue
from tests.gazette.fixtures import make_issue

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated

API = "/api/v1/tenants/qinglan/gazette"


def _published_articles() -> list[GazetteArticle]:
    return list(db.session.scalars(services.published_articles()))


def _haystack(a: GazetteArticle) -> str:
    """Everything a search looks in, one field per line."""
    return normalise("\n".join([a.title, a.doc_no, a.section, *a.issuers, plain_text(a.body)]))


def _api_ids(client, **params) -> set[int]:
    ids, page = set(), 1
    while True:
        answer = client.get(f"{API}/search", query_string={**params, "page": page, "per_page": 100})
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        ids |= {item["id"] for item in body["items"]}
        if page * 100 >= body["total"]:
            return ids
        page += 1


@pytest.mark.parametrize("query", ["招生", "任免", "公报", "救助", "医疗保险", "免", "卡", "2026年", "第三条", "不存在"])
def test_a_query_finds_exactly_the_articles_that_contain_it(gazette, client, query):
    """Checked against a plain substring search over every published article (the oracle)."""
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        expected = {a.id for a in _published_articles() if re.sub(r"[\W_]+", "", query) in _haystack(a)}
    assert _api_ids(client, q=query) == expected
    if len(query) <= 2:
        assert expected, f"the demo should contain {query!r}"


def test_each_bracket_variant_of_a_doc_no_finds_the_same_article(gazette, client):
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        articles = _published_articles()
        article = next(a for a in articles if a.section == "人事任免")
        prefix, year, number = re.match(r"(.+)〔(\d{4})〕(\d+)号", article.doc_no).groups()
        # The erratum that corrects this notice cites its 文号 in its text: a full-text search finds both.
        citing = {a.id for a in articles if article.doc_no in plain_text(a.body)}
    variants = [f"{prefix}〔{year}〕{number}号", f"{prefix}[{year}]{number}号", f"{prefix}({year}){number}号",
                f"{prefix}（{year}）{number}号", f"{prefix} ( {year} ) {number} 号", f"{prefix}【{year}】{number}号"]
    for variant in variants:
        assert _api_ids(client, q=variant) == {article.id} | citing, variant
        assert _api_ids(client, q=variant, field="doc_no") == {article.id}, variant
        page = client.get("/qinglan/gazette/search", query_string={"q": variant, "field": "doc_no"}
                          ).get_data(as_text=True)
        assert f'/qinglan/gazette/articles/{article.id}"' in page
        assert "共找到 1 篇" in page


@pytest.mark.parametrize("query", ["执行", "管理办法"])
def test_field_restriction(gazette, client, query):
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        articles = _published_articles()
        in_titles = {a.id for a in articles if query in a.title}
        in_bodies = {a.id for a in articles if query in plain_text(a.body)}
    assert _api_ids(client, q=query, field="title") == in_titles
    assert _api_ids(client, q=query, field="body") == in_bodies
    assert _api_ids(client, q=query) == in_titles | in_bodies
    assert in_titles != in_bodies


def test_results_are_paginated_newest_first_or_by_relevance(gazette, client):
    first = client.get(f"{API}/search", query_string={"q": "通知", "per_page": 5}).get_json()
    second = client.get(f"{API}/search", query_string={"q": "通知", "per_page": 5, "page": 2}).get_json()
    assert first["total"] > 10 and len(first["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    newest = client.get(f"{API}/search", query_string={"q": "通知", "sort": "newest", "per_page": 100}).get_json()
    dates = [item["issue_id"] for item in newest["items"]]
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        published = {i.id: i.published_on for i in db.session.scalars(select(GazetteIssue))}
    assert [published[i] for i in dates] == sorted((published[i] for i in dates), reverse=True)
    relevance = client.get(f"{API}/search", query_string={"q": "招生", "sort": "relevance"}).get_json()
    assert "招生" in relevance["items"][0]["title"]  # a title match ranks above a text match
    assert client.get(f"{API}/search", query_string={"sort": "sideways"}).status_code == 400


def test_facets_count_and_filter(gazette, client):
    body = client.get(f"{API}/search", query_string={"q": "通知"}).get_json()
    sections = dict((name, count) for name, count in body["facets"]["section"])
    assert sections["人事任免"] >= 5
    filtered = client.get(f"{API}/search", query_string={"q": "通知", "section": "人事任免"}).get_json()
    assert filtered["total"] == sections["人事任免"]
    assert {i["section"] for i in filtered["items"]} == {"人事任免"}
    # Other sections stay reachable: the section facet ignores the section chosen.
    assert dict(map(tuple, filtered["facets"]["section"])) == sections
    repealed = client.get(f"{API}/search", query_string={"validity": "repealed"}).get_json()
    assert repealed["total"] == 1 and repealed["items"][0]["superseded_by"]
    issuer = client.get(f"{API}/search", query_string={"issuer": "青岚县民政局"}).get_json()
    assert issuer["total"] and all("青岚县民政局" in i["issuers"] for i in issuer["items"])
    page = client.get("/qinglan/gazette/search", query_string={"q": "通知", "section": "人事任免"})
    html = page.get_data(as_text=True)
    assert "栏目：人事任免" in html and "取消栏目筛选" in html


def test_browse_year_issue_and_contents(gazette, client):
    home = client.get("/qinglan/gazette/").get_data(as_text=True)
    assert "青岚县人民政府公报" in home and "最新一期" in home and "按年份查阅" in home
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        latest = db.session.scalar(select(GazetteIssue).order_by(GazetteIssue.total_number.desc()))
        year, number, label = latest.year, latest.number, latest.label
        titles = [a.title for a in latest.articles]
    assert label in home
    year_page = client.get(f"/qinglan/gazette/{year}/").get_data(as_text=True)
    assert f"{year}年第{number}期" in year_page
    issue_page = client.get(f"/qinglan/gazette/{year}/{number}/").get_data(as_text=True)
    assert all(t in issue_page for t in titles)
    assert f"/qinglan/gazette/{year}/{number}.pdf" in issue_page and 'rel="prev"' in issue_page
    browse = client.get("/qinglan/gazette/browse").get_data(as_text=True)
    assert "按栏目" in browse and "人事任免" in browse and "青岚县人民政府办公室" in browse
    assert client.get("/qinglan/gazette/1999/").status_code == 404
    assert client.get("/qinglan/gazette/2026/99/").status_code == 404


def test_article_page_for_phones_with_previous_and_next(gazette, client):
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        issue = db.session.scalar(select(GazetteIssue).where(GazetteIssue.year == 2026, GazetteIssue.number == 3)) \
            or db.session.scalar(select(GazetteIssue).order_by(GazetteIssue.total_number))
        first, second, last = issue.articles[0], issue.articles[1], issue.articles[-1]
        ids = (first.id, second.id, last.id)
    page = client.get(f"/qinglan/gazette/articles/{ids[1]}").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert f'rel="prev" href="/qinglan/gazette/articles/{ids[0]}"' in page
    assert 'rel="next"' in page
    first_page = client.get(f"/qinglan/gazette/articles/{ids[0]}").get_data(as_text=True)
    assert 'rel="prev"' not in first_page
    last_page = client.get(f"/qinglan/gazette/articles/{ids[2]}").get_data(as_text=True)
    assert 'rel="next"' not in last_page


def test_a_repealed_article_is_marked_and_links_to_its_replacement(gazette, client):
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        old = db.session.scalar(select(GazetteArticle).where(GazetteArticle.validity == "repealed"))
        old_id, new_id, new_title = old.id, old.superseded_by_id, old.superseded_by.title
    page = client.get(f"/qinglan/gazette/articles/{old_id}").get_data(as_text=True)
    assert "本文件已废止" in page and f'href="/qinglan/gazette/articles/{new_id}"' in page and new_title in page
    listing = client.get("/qinglan/gazette/search", query_string={"q": "招生划片"}).get_data(as_text=True)
    assert "已废止" in listing


def test_an_erratum_links_both_ways(gazette, client):
    with gazette.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        erratum = db.session.scalar(select(GazetteArticle).where(GazetteArticle.corrects_id.is_not(None)))
        erratum_id, original_id, issue_label = erratum.id, erratum.corrects_id, erratum.issue.short_label
    original = client.get(f"/qinglan/gazette/articles/{original_id}").get_data(as_text=True)
    assert f"本文已在{issue_label}刊登勘误" in original and f"/qinglan/gazette/articles/{erratum_id}" in original
    page = client.get(f"/qinglan/gazette/articles/{erratum_id}").get_data(as_text=True)
    assert f"/qinglan/gazette/articles/{original_id}" in page


def test_drafts_are_invisible_to_the_public(gazette, client):
    year = china_today().year + 1  # a year the demo has no issue of yet, whatever the day
    with gazette.app_context():
        draft = make_issue(year=year, number=1, articles=[{"section": "规范性文件", "title": "尚未出版的秘密文件",
                                                           "doc_no": f"青政发〔{year}〕1号", "body": "<p>草稿内容</p>"}])
        with tenant_scope(tenant_by_slug("qinglan")):
            article_id = db.session.scalar(select(GazetteArticle.id).where(GazetteArticle.issue_id == draft))
    assert client.get(f"/qinglan/gazette/articles/{article_id}").status_code == 404
    assert client.get(f"/qinglan/gazette/{year}/1/").status_code == 404
    assert client.get(f"{API}/articles/{article_id}").status_code == 404
    assert client.get(f"{API}/issues/{draft}").status_code == 404
    assert _api_ids(client, q="秘密文件") == set()
    assert "尚未出版" not in client.get("/qinglan/gazette/").get_data(as_text=True)
    assert all(i["id"] != draft for i in client.get(f"{API}/issues").get_json()["items"])


def test_atom_feed_lists_issues_with_their_pdf(gazette, client):
    response = client.get("/qinglan/gazette/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 12
    assert all(e.find("a:link[@rel='enclosure']", ns).get("href").endswith(".pdf") for e in entries)
    assert "总第" in entries[0].find("a:title", ns).text


def test_search_input_is_echoed_escaped(gazette, client):
    attack = '"><script>alert(1)</script>'
    page = client.get("/qinglan/gazette/search", query_string={"q": attack}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    empty = client.get("/qinglan/gazette/search", query_string={"q": "〔〕，。"})
    assert empty.status_code == 200 and "共找到 0 篇" in empty.get_data(as_text=True)


def test_api_issue_contents_and_article(gazette, client):
    listing = client.get(f"{API}/issues").get_json()
    assert listing["total"] == 12
    latest = listing["items"][0]
    detail = client.get(f"{API}/issues/{latest['year']}/{latest['number']}").get_json()
    assert detail["gazette"] == "青岚县人民政府公报" and detail["toc"]
    first = detail["toc"][0]["articles"][0]
    article = client.get(f"{API}/articles/{first['id']}").get_json()
    assert article["body_html"] and article["previous"] is None and article["url"].endswith(f"/articles/{first['id']}")
    assert client.get(f"{API}/issues/1999/1").status_code == 404
