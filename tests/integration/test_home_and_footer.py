"""The portal home (issue 20): the latest published information across plugins, open consultations,
coming open days and the latest gazette issue, each with its date; the footer a government site
must carry (主办单位, 网站标识码, ICP备案号, 公安机关备案号, 党政机关网站标识, 网站地图, 纠错), empty until
the district's admin enters what was really assigned; the readable site map."""
from __future__ import annotations

import re

import pytest

from core.db import db
from core.tenants import tenant_by_slug
from tests.conftest import post_form

REQUIRES_PLUGINS = ("catalog",)

DATE = r"\d{4}-\d{2}-\d{2}"


def section(html: str, heading: str) -> str:
    """The <section> whose <h2> is `heading` ('' when absent)."""
    found = re.search(r'<section class="home-block"[^>]*>\s*<h2[^>]*>' + re.escape(heading) + r"</h2>(.*?)</section>",
                      html, re.S)
    return found.group(1) if found else ""


def test_the_county_home_shows_the_latest_information_newest_first_with_dates(demo_content, client):
    html = client.get("/qinglan/").get_data(as_text=True)
    latest = section(html, "最新信息")
    dates = re.findall(r'<time datetime="(' + DATE + ')">', latest)
    assert 1 <= len(dates) <= 8 and dates == sorted(dates, reverse=True)
    with demo_content.app_context():
        from sqlalchemy import select

        from core.search import SearchEntry
        from core.tenants import tenant_scope
        qinglan = tenant_by_slug("qinglan")
        with tenant_scope(qinglan):
            newest = db.session.scalars(select(SearchEntry.title).where(SearchEntry.tenant_id == qinglan.id)
                                        .order_by(SearchEntry.published_at.desc(), SearchEntry.id.desc()).limit(1)).first()
    assert newest and f">{newest}</a>" in latest.replace("&#34;", '"')


def test_a_town_home_lists_only_its_own_information(demo_content, client):
    latest = section(client.get("/qinglan/baishui/").get_data(as_text=True), "最新信息")
    links = re.findall(r'<a href="([^"]+)">', latest)
    assert links and all(link.startswith("/qinglan/baishui/") for link in links)


@pytest.mark.needs_plugins("gazette")
def test_the_latest_gazette_issue_shows_on_the_county_home_and_on_its_towns(demo_content, client):
    for path in ("/qinglan/", "/qinglan/baishui/"):
        block = section(client.get(path).get_data(as_text=True), "最新一期政府公报")
        assert re.search(r'<a href="/qinglan/gazette/\d{4}/\d+/">\d{4}年第\d+期（总第\d+期）</a>', block), path
        assert re.search(r'<time datetime="' + DATE, block)


@pytest.mark.needs_plugins("opinions")
def test_open_consultations_show_on_the_home_with_their_closing_day(demo_content, client):
    with demo_content.app_context():
        from sqlalchemy import select

        from core.tenants import across_tenants, Tenant
        from plugins.opinions.models import Consultation
        with across_tenants(None, reason="test: every unit's consultations"):
            open_ones = [(c.title, c.ends_on, db.session.get(Tenant, c.tenant_id))
                         for c in db.session.scalars(select(Consultation)) if c.status() == "open"]
            closed = [c.title for c in db.session.scalars(select(Consultation)) if c.status() != "open"]
            paths = {t.id: "/" + "/".join(a.slug for a in t.ancestors() + [t]) + "/" for _, _, t in open_ones}
    assert open_ones, "the demo has an open consultation on any day"
    for title, ends_on, tenant in open_ones:
        block = section(client.get(paths[tenant.id]).get_data(as_text=True), "正在征集意见")
        assert title in block and f"{ends_on.isoformat()} 截止" in block
        assert not any(other in block for other in closed if other != title)


def test_the_footer_is_empty_until_the_district_admin_fills_it(demo, client, auth):
    html = client.get("/qinglan/baishui/").get_data(as_text=True)
    footer = html[html.index('<footer'):]
    assert "主办单位" not in footer and "ICP" not in footer and "公网安备" not in footer and "党政机关网站" not in footer
    assert 'href="/qinglan/sitemap">网站地图</a>' in footer and "我要纠错" not in footer

    auth.login("wang")
    response = post_form(client, "/admin/qinglan/settings", {
        "name": "青岚县", "sponsor": "青岚县人民政府办公室", "site_code": "3601230001", "icp": "赣ICP备12345678号-1",
        "police_record": "赣公网安备36012302000123号", "conac_url": "https://bszs.conac.cn/sitename?method=show&id=1",
        "correction_url": "https://zfwzzc.www.gov.cn/check_web/errorInfo.action?webSiteCode=3601230001"})
    assert response.status_code == 302
    footer = client.get("/qinglan/baishui/").get_data(as_text=True).split('<footer', 1)[1]
    assert "主办单位：青岚县人民政府办公室" in footer and "网站标识码：3601230001" in footer
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">赣ICP备12345678号-1</a>' in footer
    assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=36012302000123"' in footer
    assert "党政机关网站标识（点击查验）" in footer and "我要纠错" in footer
    assert '<meta name="SiteIDCode" content="3601230001">' in client.get("/qinglan/").get_data(as_text=True)


def test_a_wrong_filing_number_is_refused_and_nothing_is_saved(demo, client, auth):
    auth.login("wang")
    response = post_form(client, "/admin/qinglan/settings", {
        "name": "青岚县改名", "sponsor": "青岚县人民政府办公室", "icp": "ICP 12345", "conac_url": "javascript:alert(1)"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "ICP备案号格式如" in html and "应以 https:// 开头" in html
    with demo.app_context():
        qinglan = tenant_by_slug("qinglan")
        assert qinglan.name == "青岚县" and not qinglan.site_info


def test_a_town_has_no_footer_settings_of_its_own(demo, client, auth):
    from core.errors import DomainError
    from core.tenants.provisioning import update_tenant
    auth.login("wang")
    page = client.get("/admin/baishui/settings").get_data(as_text=True)
    assert "网站标识" not in page and 'name="icp"' not in page
    with demo.app_context():
        from core.accounts import user_by_username
        with pytest.raises(DomainError, match="由区县设置"):
            update_tenant(user_by_username("wang"), tenant_by_slug("baishui"), site_info={"icp": "赣ICP备12345678号"})


def test_what_an_admin_typed_in_the_footer_is_escaped(demo, client, auth):
    auth.login("wang")
    post_form(client, "/admin/qinglan/settings", {"name": "青岚县", "sponsor": '<script>alert(1)</script>办公室'})
    footer = client.get("/qinglan/").get_data(as_text=True).split('<footer', 1)[1]
    assert "<script>alert(1)" not in footer and "&lt;script&gt;alert(1)&lt;/script&gt;办公室" in footer


def test_the_site_map_lists_the_columns_of_the_county_and_its_towns(demo, client):
    html = client.get("/qinglan/sitemap").get_data(as_text=True)
    assert "<h1>网站地图</h1>" in html
    for name in ("青岚县", "白水镇"):
        assert f">{name}</a></h2>" in html
    assert 'href="/qinglan/baishui/catalog/"' in html and 'href="/qinglan/baishui/sitemap"' in html
    town = client.get("/qinglan/baishui/sitemap").get_data(as_text=True)
    assert 'href="/qinglan/baishui/dongpo/"' in town
    assert client.get("/qinglan/nowhere/sitemap").status_code == 404
