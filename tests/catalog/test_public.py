"""Public pages of the disclosure column."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

from core.tenants import tenant_by_slug, tenant_scope
from tests.catalog.fixtures import leaf, make_record


def test_catalog_page_by_domain_and_item_with_counts(demo, client):
    with demo.app_context():
        make_record("baishui", "低保对象名单", "白水镇11月低保名单")
    html = client.get("/qinglan/baishui/catalog/").get_data(as_text=True)
    assert "社会救助领域" in html and "户籍管理领域" in html and "财政预决算领域" not in html
    assert re.search(r"低保对象名单</a> <span class=\"count\">（1）", html)
    assert "白水镇11月低保名单" in html  # latest
    assert 'href="/qinglan/baishui/dongpo/catalog/">东坡村</a>' in html  # a town's column shows its villages'


def test_the_column_is_named_as_people_say_it(demo, client):
    assert "<h1>东坡村村务公开</h1>" in client.get("/qinglan/baishui/dongpo/catalog/").get_data(as_text=True)
    assert "<h1>南门社区居务公开</h1>" in client.get("/qinglan/chengguan/nanmen/catalog/").get_data(as_text=True)
    assert ">政务公开目录</a>" in client.get("/qinglan/").get_data(as_text=True)


def test_record_page_metadata_block(demo, client):
    with demo.app_context():
        record_id = make_record("qinglan", "规范性文件", "青岚县教育体育局关于规范中小学招生的通知",
                                written=date(2026, 3, 2), when=date(2026, 3, 5), doc_no="青教体发〔2026〕5号",
                                body="<p>正文第一段</p>")
    html = client.get(f"/qinglan/catalog/records/{record_id}").get_data(as_text=True)
    for label, value in (("索引号", "11451100X/2026-00001"), ("发布机构", "青岚县"), ("文号", "青教体发〔2026〕5号"),
                         ("成文日期", "2026-03-02"), ("发布日期", "2026-03-05"), ("时效", "有效"), ("公开方式", "主动公开")):
        assert re.search(rf'<th scope="row">{label}</th><td>{re.escape(value)}', html), label
    assert "<p>正文第一段</p>" in html


def test_a_lapsed_record_stays_visible_marked_with_its_replacement(demo, client):
    from core.accounts import SYSTEM
    from core.db import db
    from plugins.catalog import services
    from plugins.catalog.models import Record
    with demo.app_context():
        old = make_record("qinglan", "规范性文件", "2024年招生意见", when=date(2024, 3, 1))
        new = make_record("qinglan", "规范性文件", "2026年招生意见", when=date(2026, 3, 1))
        with tenant_scope(tenant_by_slug("qinglan")):
            services.lapse(SYSTEM, db.session.get(Record, old), "repealed", on=date(2026, 3, 1), superseded_by=new)
            db.session.commit()
    html = client.get(f"/qinglan/catalog/records/{old}").get_data(as_text=True)
    assert "本文件已废止" in html and f'href="/qinglan/catalog/records/{new}">2026年招生意见' in html
    listing = client.get("/qinglan/catalog/records/?validity=repealed").get_data(as_text=True)
    assert "2024年招生意见" in listing and "2026年招生意见" not in listing


def test_filtered_listing_and_pagination(demo, client):
    with demo.app_context():
        for i in range(23):
            make_record("liuhe", "法律援助", f"柳河镇法援公告{i:02d}", when=date(2026, 1, 1 + i))
        make_record("liuhe", "公共文化设施名录", "柳河镇文化站名录", when=date(2025, 5, 1))
    first = client.get("/qinglan/liuhe/catalog/records/").get_data(as_text=True)
    assert "共 24 条" in first and "第 1 / 2 页" in first and "柳河镇法援公告22" in first
    second = client.get("/qinglan/liuhe/catalog/records/?page=2").get_data(as_text=True)
    assert "柳河镇文化站名录" in second
    by_year = client.get("/qinglan/liuhe/catalog/records/?year=2025").get_data(as_text=True)
    assert "共 1 条" in by_year
    by_domain = client.get("/qinglan/liuhe/catalog/records/?domain=20").get_data(as_text=True)
    assert "共 1 条" in by_domain and "柳河镇文化站名录" in by_domain
    by_q = client.get("/qinglan/liuhe/catalog/records/?q=11451103X/2026-00005").get_data(as_text=True)
    assert "共 1 条" in by_q and "柳河镇法援公告04" in by_q


def test_item_page_shows_the_elements_and_its_records(demo, client):
    with demo.app_context():
        make_record("baishui", "改造对象名单", "第一批改造对象公示")
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            item_id = leaf(town, "改造对象名单").id
    html = client.get(f"/qinglan/baishui/catalog/items/{item_id}").get_data(as_text=True)
    assert "审核确认后3个工作日内公示" in html and "公示栏" in html and "第一批改造对象公示" in html


def test_atom_feed_escapes_titles(demo, client):
    with demo.app_context():
        make_record("baishui", "法律援助", "<script>alert(1)</script> & 指南")
    response = client.get("/qinglan/baishui/catalog/feed.atom")
    assert b"<script>" not in response.data
    titles = [e.text for e in ET.fromstring(response.data).iter("{http://www.w3.org/2005/Atom}title")]
    assert "<script>alert(1)</script> & 指南" in titles


def test_atom_feed(demo, client):
    with demo.app_context():
        record_id = make_record("baishui", "法律援助", "法律援助指南")
    response = client.get("/qinglan/baishui/catalog/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["法律援助指南"]
    assert entries[0].find("a:link", ns).get("href").endswith(f"/qinglan/baishui/catalog/records/{record_id}")


def test_record_attachments_download_publicly(demo, client, auth):
    import io

    from tests.conftest import csrf_from
    auth.login("li")
    page = client.get("/admin/baishui/catalog/records/new")
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            item_id = leaf(town, "法律援助").id
    client.post("/admin/baishui/catalog/records/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "item_id": str(item_id), "title": "附件测试",
        "disclosure": "proactive", "files": [(io.BytesIO(b"%PDF-1.4 test"), "指南.pdf")]})
    auth.logout()
    with demo.app_context():
        from core.accounts import SYSTEM
        from core.db import db
        from plugins.catalog import services
        from plugins.catalog.models import Record
        with tenant_scope(tenant_by_slug("baishui")):
            record = db.session.query(Record).filter_by(title="附件测试").one()
            url = f"/qinglan/baishui/files/{record.attachments[0].token}"
            assert client.get(url).status_code == 404  # not yet published
            services.publish(SYSTEM, record, review_confirmed=True)
            db.session.commit()
            record_id = record.id
    html = client.get(f"/qinglan/baishui/catalog/records/{record_id}").get_data(as_text=True)
    assert "指南.pdf" in html
    assert client.get(url).status_code == 200


def test_catalog_pages_run_a_constant_number_of_queries(demo, client, count_queries, runner):
    with demo.app_context():
        for i in range(3):
            make_record("baishui", "法律援助", f"指南{i}")
    urls = ["/qinglan/baishui/catalog/", "/qinglan/baishui/catalog/records/", "/qinglan/catalog/"]
    before = {}
    for url in urls:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        before[url] = len(statements)
    for i in range(6):
        runner.invoke(args=["tenants", "create", f"newvillage{i}", "--name", f"新村{i}", "--kind", "village",
                            "--parent", "baishui"])
    with demo.app_context():
        for i in range(10):
            make_record("baishui", "改造对象名单", f"名单{i}")
    for url in urls:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        assert len(statements) == before[url], url
