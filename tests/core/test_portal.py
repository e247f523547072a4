"""The public portal shell: tree pages, breadcrumbs, Chinese, phone-friendly, no CDN."""
from __future__ import annotations

import re

import pytest

from core.db import db
from core.tenants import tenant_by_slug


def test_root_redirects_to_the_only_district(demo, client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/qinglan/")


def test_district_lists_towns_and_town_lists_villages(demo, client):
    district = client.get("/qinglan/").get_data(as_text=True)
    for town in ("城关街道", "白水镇", "柳河镇"):
        assert town in district
    assert 'href="/qinglan/baishui/"' in district
    town = client.get("/qinglan/baishui/").get_data(as_text=True)
    assert 'href="/qinglan/baishui/dongpo/"' in town and "西河村" in town
    assert "柳河村" not in town


def test_breadcrumbs_go_up_the_tree(demo, client):
    html = client.get("/qinglan/baishui/dongpo/").get_data(as_text=True)
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert crumbs.index("青岚县") < crumbs.index("白水镇") < crumbs.index("东坡村")
    assert 'aria-current="page">东坡村' in crumbs


@pytest.mark.parametrize("path", ["/qinglan/liuhe/dongpo/", "/qinglan/dongpo/", "/dongpo/", "/qinglan/baishui/dongpo/extra/",
                                  "/atlantis/"])
def test_paths_that_do_not_match_the_tree_are_404(demo, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_pages_are_chinese_responsive_and_use_only_local_assets(demo, client):
    html = client.get("/qinglan/baishui/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'href="#main"' in html  # skip link
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")) or url.startswith("http://localhost"), url
    css = client.get("/static/css/portal.css")
    assert css.status_code == 200 and b"@media (max-width: 480px)" in css.data


def test_host_mapping_serves_the_district_and_hides_other_districts(demo, client, runner, ctx):
    runner.invoke(args=["tenants", "create", "other", "--name", "另一县", "--kind", "district"])
    tenant_by_slug("qinglan").host = "gov.qinglan.example"
    db.session.commit()
    response = client.get("/", base_url="http://gov.qinglan.example")
    assert response.headers["Location"].endswith("/qinglan/")
    assert client.get("/other/", base_url="http://gov.qinglan.example").status_code == 404
    assert client.get("/qinglan/baishui/", base_url="http://gov.qinglan.example").status_code == 200
    # without a mapped host the installation lists both districts
    index = client.get("/").get_data(as_text=True)
    assert "青岚县" in index and "另一县" in index


def test_unknown_host_still_works(demo, client):
    assert client.get("/qinglan/", base_url="http://unknown.example").status_code == 200


def test_security_headers(demo, client):
    response = client.get("/qinglan/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_every_page_names_the_site_icon_and_it_is_served(demo, client):
    """Issue 18, point 9: the site has a favicon (an SVG of its own, no external asset)."""
    for page in ("/qinglan/", "/admin/login"):
        html = client.get(page, follow_redirects=True).get_data(as_text=True)
        assert '<link rel="icon" type="image/svg+xml" href="/static/img/favicon.svg">' in html, page
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
