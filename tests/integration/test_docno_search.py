"""A 文号 typed without its year (issue 18, point 3: "the issuer's abbreviation with the number alone";
`青政发4号` found nothing): site search, a plugin's own search (the gazette's 文号 field) and the
index find that issuer's number of every year the searcher may see, and nothing else."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from core import search
from core.docno import abbreviated_doc_no
from core.tenants import tenant_by_slug, tenant_scope
from tests.catalog.fixtures import make_record
from tests.gazette.fixtures import make_issue

REQUIRES_PLUGINS = ("catalog", "gazette")


def titles(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [re.sub(r"</?mark>", "", t) for t in re.findall(r'<h2><a href="[^"]*">(.*?)</a></h2>', html)]


@pytest.mark.parametrize("typed, read", [
    ("青政发4号", ("青政发", 4)), ("青政办发第3号", ("青政办发", 3)), ("青政办发 第 003 号", ("青政办发", 3)),
    ("青政发４号", ("青政发", 4)), ("青政发〔2026〕4号", None), ("青政办发2026年3号", None), ("4号", None),
    ("第4号", None), ("2026年3号", None), ("青政发", None), ("青政发0号", None)])
def test_an_issuer_and_a_number_without_the_year_are_read(typed, read):
    assert abbreviated_doc_no(typed) == read


@pytest.fixture
def numbered(demo):
    """砚政发 No. 4 of two years in Baishui, its No. 14 and 砚政办发 No. 4 there, No. 4 of a third
    year in Liuhe, and an unpublished No. 4 of a fourth year in Baishui."""
    with demo.app_context():
        return {
            "2026": make_record("baishui", "法律援助", "白水镇法律援助实施办法", doc_no="砚政发〔2026〕4号"),
            "2025": make_record("baishui", "法律援助", "白水镇法律援助值班制度", doc_no="砚政发（2025）4号"),
            "14": make_record("baishui", "法律援助", "白水镇法律援助补贴标准", doc_no="砚政发〔2026〕14号"),
            "office": make_record("baishui", "法律援助", "白水镇法律援助工作分工", doc_no="砚政办发〔2026〕4号"),
            "liuhe": make_record("liuhe", "法律援助", "柳河镇法律援助告知书", doc_no="砚政发〔2024〕4号"),
            "draft": make_record("baishui", "法律援助", "白水镇法律援助草稿", doc_no="砚政发〔2023〕4号", publish=False),
        }


def test_site_search_finds_the_number_of_every_year_the_searcher_may_see(client, numbered):
    # One unit: its two No. 4, never the No. 14, the office's No. 4, another town's or a draft.
    found = titles(client, f"/qinglan/baishui/search?q={quote('砚政发4号')}")
    assert set(found) == {"白水镇法律援助实施办法", "白水镇法律援助值班制度"}
    html = client.get(f"/qinglan/baishui/search?q={quote('砚政发4号')}").get_data(as_text=True)
    assert "“砚政发4号”没有写年份，同时按文号 砚政发〔2026〕4号、砚政发〔2025〕4号 查找。" in html
    assert "<mark>砚政发〔2026〕4号</mark>" in html
    assert "砚政发〔2023〕4号" not in html and "砚政发〔2024〕4号" not in html   # neither the draft's nor the other town's
    # The whole county: Liuhe's No. 4 too.
    assert set(titles(client, f"/qinglan/search?q={quote('砚政发4号')}")) == {
        "柳河镇法律援助告知书", "白水镇法律援助实施办法", "白水镇法律援助值班制度"}
    # Unambiguous: exactly the one document.
    assert titles(client, f"/qinglan/baishui/search?q={quote('砚政办发第4号')}") == ["白水镇法律援助工作分工"]
    assert titles(client, f"/qinglan/baishui/search?q={quote('砚政发14号')}") == ["白水镇法律援助补贴标准"]
    assert titles(client, f"/qinglan/liuhe/search?q={quote('砚政发004号')}") == ["柳河镇法律援助告知书"]
    # A number no year has: nothing, and no claim about 文号 searched.
    html = client.get(f"/qinglan/baishui/search?q={quote('砚政发5号')}").get_data(as_text=True)
    assert "共找到 0 条" in html and "没有写年份" not in html


def test_the_index_answers_for_the_current_tenant_only(demo, numbered):
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            assert search.doc_no_years("砚政发4号") == ["砚政发〔2026〕4号", "砚政发〔2025〕4号"]
            assert search.doc_no_years("砚政发4号", plugin="gazette") == []
            assert search.doc_no_years("法律援助") == []
        with tenant_scope(tenant_by_slug("liuhe")):
            assert search.doc_no_years("砚政发4号") == ["砚政发〔2024〕4号"]


def test_the_gazette_doc_no_search_finds_it_without_the_year(demo, client):
    with demo.app_context():
        for year in (2024, 2025):
            make_issue("qinglan", year=year, number=4, publish=True, articles=[
                {"section": "规范性文件", "title": f"青岚县{year}年砚台保护办法", "doc_no": f"砚府发〔{year}〕4号",
                 "issuers": ["青岚县人民政府"], "body": "<p>第一条　为保护砚台，制定本办法。</p>"}])
    for field in ("doc_no", "all"):
        page = client.get("/qinglan/gazette/search", query_string={"q": "砚府发4号", "field": field})
        html = page.get_data(as_text=True)
        assert "青岚县2025年砚台保护办法" in html and "青岚县2024年砚台保护办法" in html, field
        assert "共找到 2 篇" in html, field
    html = client.get("/qinglan/gazette/search", query_string={"q": "砚府发4号", "field": "title"}).get_data(as_text=True)
    assert "砚台保护办法" not in html      # a title search does not look in the 文号
