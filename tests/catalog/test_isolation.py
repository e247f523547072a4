"""Tenants' items, records and attachments stay theirs: another town's editor and the public get 404;
drafts, 依申请公开 and 不予公开 records never appear publicly."""
from __future__ import annotations

import pytest

from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import services
from tests.catalog.fixtures import leaf, make_record
from tests.conftest import post_form


@pytest.fixture
def liuhe_editor(demo, runner):
    runner.invoke(args=["users", "create", "liu", "--password", "liuhe-password"])
    runner.invoke(args=["users", "grant", "liu", "editor", "liuhe"])
    return "liu"


@pytest.fixture
def baishui_objects(demo):
    with demo.app_context():
        published = make_record("baishui", "法律援助", "白水镇法律援助指南")
        draft = make_record("baishui", "法律援助", "白水镇内部草稿", publish=False)
        on_request = make_record("baishui", "法律援助", "依申请公开的材料", disclosure="on_request")
        withheld = make_record("baishui", "法律援助", "不予公开的材料", disclosure="withheld")
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            item = leaf(town, "法律援助").id
    return {"published": published, "draft": draft, "on_request": on_request, "withheld": withheld, "item": item}


def test_another_towns_editor_gets_404_in_the_admin(demo, client, auth, liuhe_editor, baishui_objects):
    auth.login(liuhe_editor, "liuhe-password")
    o = baishui_objects
    for url in (f"/admin/baishui/catalog/records/{o['draft']}", "/admin/baishui/catalog/records",
                f"/admin/baishui/catalog/items/{o['item']}/edit", "/admin/baishui/catalog/items",
                f"/admin/liuhe/catalog/records/{o['draft']}", f"/admin/liuhe/catalog/items/{o['item']}/edit",
                "/admin/baishui/catalog/supervision/baishui", "/admin/liuhe/catalog/supervision/baishui"):
        assert auth.client.get(url).status_code == 404, url
    response = post_form(auth.client, "/admin/liuhe/catalog/records", {}, url=f"/admin/liuhe/catalog/records/{o['draft']}/submit")
    assert response.status_code == 404
    listing = auth.client.get("/admin/liuhe/catalog/records").get_data(as_text=True)
    assert "白水镇" not in listing


def test_another_towns_token_gets_404_through_the_api(demo, client, runner, liuhe_editor, baishui_objects):
    token = runner.invoke(args=["users", "token", liuhe_editor]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    o = baishui_objects
    assert client.get(f"/api/v1/tenants/liuhe/catalog/records/{o['draft']}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/catalog/records/{o['draft']}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/tenants/baishui/catalog/records/{o['published']}", headers=headers,
                        json={"title": "篡改"}).status_code == 404
    assert client.patch(f"/api/v1/tenants/liuhe/catalog/records/{o['published']}", headers=headers,
                        json={"title": "篡改"}).status_code == 404
    created = client.post("/api/v1/tenants/liuhe/catalog/records", headers=headers,
                          json={"item_id": o["item"], "title": "放到别人的事项下"})
    assert created.status_code == 400 and "适用的公开事项" in created.get_json()["error"]
    assert client.get(f"/api/v1/tenants/liuhe/catalog/items/{o['item']}").status_code == 404


@pytest.mark.parametrize("which", ["draft", "on_request", "withheld"])
def test_non_public_records_never_appear_publicly(demo, client, baishui_objects, which):
    record_id = baishui_objects[which]
    assert client.get(f"/qinglan/baishui/catalog/records/{record_id}").status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/catalog/records/{record_id}").status_code == 404
    title = {"draft": "白水镇内部草稿", "on_request": "依申请公开的材料", "withheld": "不予公开的材料"}[which]
    for url in ("/qinglan/baishui/catalog/", "/qinglan/baishui/catalog/records/", "/qinglan/baishui/catalog/feed.atom",
                f"/qinglan/baishui/catalog/items/{baishui_objects['item']}", "/api/v1/tenants/baishui/catalog/records"):
        assert title not in client.get(url).get_data(as_text=True), url
    # nor in site search, from the town or from the whole county
    for url in (f"/qinglan/baishui/search?q={title}", f"/qinglan/search?q={title}"):
        html = client.get(url).get_data(as_text=True)
        assert "共找到 0 条" in html and f"/catalog/records/{record_id}" not in html, url
    assert "白水镇<mark>法律援助</mark>指南" in client.get("/qinglan/baishui/search?q=法律援助").get_data(as_text=True)


def test_a_record_is_not_found_under_another_tenants_path(demo, client, baishui_objects):
    record_id = baishui_objects["published"]
    assert client.get(f"/qinglan/baishui/catalog/records/{record_id}").status_code == 200
    assert client.get(f"/qinglan/liuhe/catalog/records/{record_id}").status_code == 404
    assert client.get(f"/qinglan/liuhe/catalog/items/{baishui_objects['item']}").status_code == 404


def test_the_town_editor_helps_her_villages_but_the_village_clerk_sees_only_his(demo, client, auth):
    with demo.app_context():
        village_draft = make_record("dongpo", "财务收支和“三资”管理情况", "东坡村10月财务", publish=False)
        other_village = make_record("xihe", "财务收支和“三资”管理情况", "西河村10月财务", publish=False)
    auth.login("li")
    assert client.get(f"/admin/dongpo/catalog/records/{village_draft}").status_code == 200
    auth.logout()
    auth.login("chen")
    assert client.get(f"/admin/dongpo/catalog/records/{village_draft}").status_code == 200
    assert client.get(f"/admin/xihe/catalog/records/{other_village}").status_code == 404
    assert client.get(f"/admin/dongpo/catalog/records/{other_village}").status_code == 404


def test_public_item_pages_do_not_show_other_levels_or_not_applicable_items(demo, client):
    with demo.app_context():
        district = tenant_by_slug("qinglan")
        with tenant_scope(district):
            village_template = leaf(district, "财务收支和“三资”管理情况").id
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            from core.accounts import SYSTEM
            from core.db import db
            item = leaf(town, "文化活动信息")
            services.set_applicability(SYSTEM, item, False, "并入县文化馆")
            db.session.commit()
            na = item.id
    assert client.get(f"/qinglan/catalog/items/{village_template}").status_code == 404
    assert client.get(f"/qinglan/baishui/catalog/items/{na}").status_code == 404
    assert "文化活动信息" not in client.get("/qinglan/baishui/catalog/").get_data(as_text=True)


def test_record_attachments_stay_with_their_tenant(demo, client, auth, liuhe_editor):
    import io

    from tests.conftest import csrf_from
    auth.login("li")
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            item_id = leaf(town, "法律援助").id
    page = client.get("/admin/baishui/catalog/records/new")
    client.post("/admin/baishui/catalog/records/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "item_id": str(item_id), "title": "内部材料",
        "disclosure": "proactive", "files": [(io.BytesIO(b"%PDF-1.4 x"), "内部.pdf")]})
    with demo.app_context():
        from sqlalchemy import select

        from core.attachments import Attachment
        from core.tenants import across_tenants
        with across_tenants(None, reason="test check"):
            from core.db import db
            token = db.session.scalar(select(Attachment.token))
    auth.logout()
    auth.login(liuhe_editor, "liuhe-password")
    for url in (f"/qinglan/baishui/files/{token}", f"/qinglan/liuhe/files/{token}"):
        assert client.get(url).status_code == 404, url
    auth.logout()
    assert client.get(f"/qinglan/baishui/files/{token}").status_code == 404  # the public: a draft's file


def test_huge_numbers_in_query_strings_are_not_errors(demo, client):
    for url in ("/qinglan/catalog/records/?year=99999999999&item=99999999999",
                "/api/v1/tenants/qinglan/catalog/records?year=99999999999&item=99999999999&page=99999999999"):
        assert client.get(url).status_code == 200, url
