"""Portal-wide parts: the search box on every page, the elderly mode, the page metadata of the
national government-website rules, sitemaps and robots.txt."""
from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from tests.catalog.fixtures import make_record

REQUIRES_PLUGINS = ("catalog",)

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def metas(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta name="([A-Za-z]+)" content="([^"]*)">', html))


@pytest.fixture
def records(demo):
    with demo.app_context():
        return {"published": make_record("baishui", "法律援助", "白水镇法律援助值班表", doc_no="白政发〔2026〕8号",
                                          summary="每周二、周四上午有律师值班。"),
                "draft": make_record("baishui", "法律援助", "白水镇未发布的草稿", publish=False),
                "liuhe": make_record("liuhe", "法律援助", "柳河镇法律援助值班表")}


@pytest.mark.parametrize("path", ["/qinglan/", "/qinglan/baishui/dongpo/", "/qinglan/baishui/catalog/", "/qinglan/search?q=x",
                                  pytest.param("/qinglan/baishui/opinions/", marks=pytest.mark.needs_plugins("opinions")),
                                  pytest.param("/qinglan/gazette/", marks=pytest.mark.needs_plugins("gazette"))])
def test_every_portal_page_has_the_search_box_and_the_display_switch(demo, client, path):
    html = client.get(path).get_data(as_text=True)
    form = re.search(r'<form class="header-search" role="search" method="get" action="([^"]+)">', html)
    assert form and form.group(1).endswith("/search")
    assert path.startswith(form.group(1).rsplit("/search", 1)[0])      # searches the page's own tenant
    assert '<label for="header-q"' in html and ">长者模式</a>" in html


def test_the_elderly_mode_is_a_persistent_choice_without_script(demo, client):
    response = client.get("/display/elder?next=/qinglan/baishui/catalog/?year=2026")
    assert response.status_code == 302 and response.headers["Location"] == "/qinglan/baishui/catalog/?year=2026"
    cookie = response.headers["Set-Cookie"]
    assert "display=elder" in cookie and "Max-Age=31536000" in cookie and "HttpOnly" in cookie
    page = client.get("/qinglan/baishui/")
    html = page.get_data(as_text=True)
    assert '<html lang="zh-CN" class="elder">' in html and ">标准版</a>" in html
    assert "Cookie" in page.headers["Vary"]          # a shared cache must keep the two versions apart
    assert "<script" not in html
    client.get("/display/standard?next=/qinglan/")
    assert '<html lang="zh-CN">' in client.get("/qinglan/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\t/evil.example", "\\\\evil",
                                    "javascript:alert(1)"])
def test_the_display_switch_never_redirects_elsewhere(demo, client, target):
    response = client.get("/display/elder", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_an_unknown_display_mode_is_not_found(demo, client):
    assert client.get("/display/purple?next=/").status_code == 404


def test_document_pages_carry_the_article_metadata(demo, client, records):
    html = client.get(f"/qinglan/baishui/catalog/records/{records['published']}").get_data(as_text=True)
    meta = metas(html)
    assert meta["SiteName"] == "青岚县政务公开"
    assert meta["SiteDomain"] == "localhost"
    assert meta["ColumnName"] == "政务公开目录" and meta["ColumnType"] == "信息公开"
    assert meta["ArticleTitle"] == "白水镇法律援助值班表"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", meta["PubDate"])
    assert meta["ContentSource"] == "白水镇"
    assert "白政发〔2026〕8号" in meta["Keywords"]
    assert meta["Description"] == "每周二、周四上午有律师值班。"
    assert "SiteIDCode" not in meta


@pytest.mark.needs_plugins("opinions")
def test_column_type_follows_the_plugin_and_the_site_code_is_configurable(demo, app, client):
    assert metas(client.get("/qinglan/baishui/opinions/").get_data(as_text=True))["ColumnType"] == "互动交流"
    home = metas(client.get("/qinglan/baishui/").get_data(as_text=True))
    assert home["ColumnName"] == "白水镇首页" and home["ColumnType"] == "首页" and "ArticleTitle" not in home
    app.config["SITE_ID_CODE"] = "3601230001"
    assert metas(client.get("/qinglan/").get_data(as_text=True))["SiteIDCode"] == "3601230001"


def test_metadata_escapes_what_editors_typed(demo, client):
    with demo.app_context():
        record_id = make_record("baishui", "法律援助", '值班表"><script>alert(1)</script>')
    html = client.get(f"/qinglan/baishui/catalog/records/{record_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'content="值班表&#34;&gt;&lt;script&gt;' in html


def test_a_tenant_sitemap_lists_its_own_public_pages_only(demo, client, records):
    response = client.get("/qinglan/baishui/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    locs = [e.text for e in ElementTree.fromstring(response.data).findall("s:url/s:loc", SITEMAP_NS)]
    assert "http://localhost/qinglan/baishui/" in locs
    assert "http://localhost/qinglan/baishui/catalog/" in locs
    assert "http://localhost/qinglan/baishui/dongpo/" in locs                       # its villages' homes
    assert f"http://localhost/qinglan/baishui/catalog/records/{records['published']}" in locs
    assert not any(loc.endswith(f"/records/{records['draft']}") for loc in locs)     # never a draft
    assert not any(loc.endswith(f"/records/{records['liuhe']}") for loc in locs)     # nor another town's
    lastmods = ElementTree.fromstring(response.data).findall("s:url/s:lastmod", SITEMAP_NS)
    assert lastmods and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", e.text) for e in lastmods)


def test_the_sitemap_index_and_robots(demo, client):
    index = ElementTree.fromstring(client.get("/sitemap.xml").data)
    locs = [e.text for e in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert "http://localhost/qinglan/sitemap.xml" in locs
    assert "http://localhost/qinglan/baishui/dongpo/sitemap.xml" in locs and len(locs) == 10
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /admin/" in robots and "Sitemap: http://localhost/sitemap.xml" in robots


def test_templates_render_outside_a_request(app):
    """A command or a job rendering a page fragment gets the standard display mode."""
    from flask import render_template_string
    with app.app_context():
        assert render_template_string("{{ display_mode }}") == "standard"


def test_robots_keeps_crawlers_out_of_search_results(demo, client):
    assert "Disallow: /*/search" in client.get("/robots.txt").get_data(as_text=True)
