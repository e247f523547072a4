"""The editors' pages, as 李科长 and her reviewer use them."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from sqlalchemy import select

from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog.models import Record
from tests.catalog.fixtures import leaf
from tests.conftest import csrf_from, post_form

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog-education-example.xlsx"


def _item(demo, slug: str, name: str) -> int:
    with demo.app_context():
        tenant = tenant_by_slug(slug)
        with tenant_scope(tenant):
            return leaf(tenant, name).id


def test_li_publishes_a_notice_and_her_reviewer_approves_it(demo, client, auth):
    item_id = _item(demo, "baishui", "改造对象名单")
    auth.login("li")
    page = client.get("/admin/baishui/catalog/records/new")
    assert page.status_code == 200 and "改造对象名单" in page.get_data(as_text=True)
    response = client.post("/admin/baishui/catalog/records/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "item_id": str(item_id),
        "title": "白水镇农村危房改造补助对象公示", "doc_no": "白政发〔2026〕21号", "written_date": "2026-11-20",
        "body": "<p>公示期七个工作日</p>", "disclosure": "proactive", "then": "submit",
        "files": [(io.BytesIO(b"%PDF-1.7 list"), "补助对象名单.pdf")]})
    assert response.status_code == 302
    edit_url = response.headers["Location"]
    html = client.get(edit_url).get_data(as_text=True)
    assert "已保存“白水镇农村危房改造补助对象公示”并提交审核" in html and "待审核" in html
    assert "审核通过并发布" not in html  # an editor cannot publish
    auth.logout()

    auth.login("zhao")
    assert "白水镇农村危房改造补助对象公示" in client.get("/admin/baishui/catalog/records?status=submitted").get_data(as_text=True)
    refused = post_form(client, edit_url, {}, url=edit_url + "/publish", follow_redirects=True)
    assert "发布前请确认已完成保密审查" in refused.get_data(as_text=True)
    done = post_form(client, edit_url, {"review_confirmed": "y"}, url=edit_url + "/publish", follow_redirects=True)
    assert "已发布，索引号 11451102X/" in done.get_data(as_text=True)
    auth.logout()
    public = client.get("/qinglan/baishui/catalog/").get_data(as_text=True)
    assert "白水镇农村危房改造补助对象公示" in public


def test_a_form_error_keeps_what_was_typed(demo, client, auth):
    item_id = _item(demo, "baishui", "法律援助")
    auth.login("li")
    response = post_form(client, "/admin/baishui/catalog/records/new", {
        "item_id": str(item_id), "title": "依申请材料", "disclosure": "withheld", "disclosure_reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "依申请公开或不予公开的信息必须说明法定理由" in html
    assert 'value="依申请材料"' in html
    with demo.app_context():
        from core.tenants import across_tenants
        with across_tenants(None, reason="test check"):
            assert db.session.scalars(select(Record)).all() == []


def test_mark_an_item_not_applicable_from_the_items_page(demo, client, auth):
    item_id = _item(demo, "baishui", "文化活动信息")
    auth.login("li")
    no_reason = post_form(client, "/admin/baishui/catalog/items", {"applicable": "0", "reason": ""},
                          url=f"/admin/baishui/catalog/items/{item_id}/applicability", follow_redirects=True)
    assert "标记为不适用时必须说明理由" in no_reason.get_data(as_text=True)
    post_form(client, "/admin/baishui/catalog/items", {"applicable": "0", "reason": "由县文化馆统一发布"},
              url=f"/admin/baishui/catalog/items/{item_id}/applicability")
    html = client.get("/admin/baishui/catalog/items").get_data(as_text=True)
    assert "<strong>不适用</strong>：由县文化馆统一发布" in html


def test_edit_an_item_then_see_it_in_the_consistency_view(demo, client, auth):
    item_id = _item(demo, "baishui", "义务教育学校名录")
    auth.login("li")
    form = client.get(f"/admin/baishui/catalog/items/{item_id}/edit").get_data(as_text=True)
    assert "法规：《中华人民共和国政府信息公开条例》" in form
    response = post_form(client, f"/admin/baishui/catalog/items/{item_id}/edit", {
        "name": "义务教育学校名录", "content_elements": "学校名称\n学校地址", "legal_basis": "法规：《中华人民共和国政府信息公开条例》",
        "time_limit": "信息形成或者变更之日起20个工作日内", "responsible_body": "白水镇中心学校",
        "methods": "主动", "channels": ["政府网站", "公示栏"], "audience": "全社会", "levels": ["县级", "乡级"]})
    assert response.status_code == 302
    html = client.get("/admin/baishui/catalog/consistency").get_data(as_text=True)
    assert "义务教育学校名录" in html and "公开主体" in html and "白水镇中心学校" in html


def test_import_errors_are_listed_and_export_downloads(demo, client, auth):
    auth.login("zheng")       # the county's editor maintains the catalog
    wb = openpyxl.load_workbook(FIXTURE)
    wb.active["H5"] = "■飞鸽传书"
    buffer = io.BytesIO()
    wb.save(buffer)
    page = client.get("/admin/qinglan/catalog/import")
    response = client.post("/admin/qinglan/catalog/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "file": (io.BytesIO(buffer.getvalue()), "目录.xlsx")})
    html = response.get_data(as_text=True)
    assert "未导入任何内容" in html and "第 5 行 H 列（公开渠道和载体）" in html
    export = client.get("/admin/qinglan/catalog/export.xlsx")
    assert export.status_code == 200 and export.data.startswith(b"PK")
    assert "filename*=UTF-8''" in export.headers["Content-Disposition"]
    sheets = openpyxl.load_workbook(io.BytesIO(export.data)).sheetnames
    assert len(sheets) == 31 + 18 and "义务教育" in sheets and "财务公开" in sheets and "机构职能" in sheets


def test_dashboard_widget_and_menu(demo, client, auth):
    auth.login("li")
    html = client.get("/admin/baishui/").get_data(as_text=True)
    assert "政府信息公开" in html and "目录事项 54 个" in html
    assert 'href="/admin/baishui/catalog/records">政府信息</a>' in html
    assert "时效监督" not in html  # editors do not supervise


def test_self_publish_setting(demo, client, auth):
    auth.login("wang")
    post_form(client, "/admin/dongpo/catalog/settings", {"self_publish": "y"})
    auth.logout()
    item_id = _item(demo, "dongpo", "财务收支和“三资”管理情况")
    auth.login("chen")
    response = post_form(client, "/admin/dongpo/catalog/records/new", {
        "item_id": str(item_id), "title": "东坡村11月财务收支", "disclosure": "proactive"})
    edit_url = response.headers["Location"]
    assert "审核通过并发布" in client.get(edit_url).get_data(as_text=True)
    done = post_form(client, edit_url, {"review_confirmed": "y"}, url=edit_url + "/publish", follow_redirects=True)
    assert "已发布，索引号 11451102A/" in done.get_data(as_text=True)


def test_a_village_editor_uploading_a_spreadsheet_bomb_gets_a_clear_refusal(demo, client, auth):
    """Issue 17: any editor may import a catalog; a 5 KB workbook declaring one merged range over
    400,000 cells is refused before openpyxl builds it, with the limit named, and nothing changes."""
    from sqlalchemy import func

    from plugins.catalog.models import CatalogItem
    from tests.core.test_bounded import xlsx
    bomb = xlsx(merges='<mergeCells count="1"><mergeCell ref="A1:T20000"/></mergeCells>')
    with demo.app_context(), tenant_scope(tenant_by_slug("dongpo")):
        before = db.session.scalar(select(func.count()).select_from(CatalogItem))
    auth.login("chen")                                  # 东坡村's editor
    page = client.get("/admin/dongpo/catalog/import")
    response = client.post("/admin/dongpo/catalog/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "file": (io.BytesIO(bomb), "目录.xlsx")})
    html = response.get_data(as_text=True)
    assert "未导入任何内容" in html and "合并单元格超出范围" in html and "20000" in html
    with demo.app_context(), tenant_scope(tenant_by_slug("dongpo")):
        assert db.session.scalar(select(func.count()).select_from(CatalogItem)) == before
