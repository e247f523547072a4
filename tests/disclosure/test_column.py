"""The 政府信息公开专栏 (国办公开办函〔2019〕61号): reached from the portal home, its parts in the
national order from every plugin enabled for the tenant, the way to apply only where a plugin
offers it; the 公开指南 generated from the tenant's settings, edited in versions."""
from __future__ import annotations

import re

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.disclosure import guide
from tests.conftest import Auth, post_form


def _parts(client, path: str) -> list[str]:
    html = client.get(f"/{path}/disclosure/").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="政府信息公开专栏".*?</nav>', html, re.S).group(0)
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', nav)


def test_the_column_is_reached_from_the_home_page_and_lists_its_parts_in_order(demo, client):
    home = client.get("/qinglan/baishui/").get_data(as_text=True)
    assert 'href="/qinglan/baishui/disclosure/"' in home and "政府信息公开" in home
    parts = _parts(client, "qinglan/baishui")
    mine = [p for p in parts if p in ("政府信息公开指南", "政府信息公开年报", "依申请公开")]
    assert mine == ["政府信息公开指南", "政府信息公开年报", "依申请公开"]
    order = {"政府信息公开指南": 10, "政府信息公开制度": 20, "法定主动公开内容": 30, "政府信息公开年报": 40,
             "依申请公开": 50, "政府公报": 60}
    known = [order[p] for p in parts if p in order]
    assert known == sorted(known)


def test_the_way_to_apply_is_absent_where_the_applications_plugin_is_off(demo, client):
    with demo.app_context():
        town = tenant_by_slug("baishui")
        if "applications" in demo.extensions["cms"].names:
            assert "依申请公开" in _parts(client, "qinglan/baishui")
        town.enabled_plugins = [p for p in town.enabled_plugins if p != "applications"]
        db.session.commit()
    assert "依申请公开" not in _parts(client, "qinglan/baishui")
    assert "政府信息公开指南" in _parts(client, "qinglan/baishui")
    page = client.get("/qinglan/baishui/disclosure/guide").get_data(as_text=True)
    assert "在线提交政府信息公开申请" not in page


def test_villages_have_no_column(demo, client):
    assert client.get("/qinglan/baishui/dongpo/disclosure/").status_code == 404


def test_the_guide_is_generated_from_the_tenants_settings(demo, client):
    page = client.get("/qinglan/baishui/disclosure/guide").get_data(as_text=True)
    for text in ("白水镇人民政府党政办公室", "白水镇白水街 8 号", "0123-6662001", "工作日 8:30—17:30",
                 "一、主动公开", "二、依申请公开", "三、收费", "四、监督和救济", "20个工作日", "国办函〔2020〕109号",
                 "60日内", "6个月内", "青岚县人民政府办公室", "根据本单位设置生成"):
        assert text in page, text
    assert "传真" not in page and "邮政编码" not in page          # not set: nothing invented


def test_the_admin_edits_the_guide_in_versions_and_the_public_sees_the_current_one(demo, client):
    Auth(client).login("wang")
    form = client.get("/admin/baishui/disclosure/guide").get_data(as_text=True)
    assert "白水镇人民政府党政办公室" in form
    with demo.app_context():
        data = guide.form_defaults(tenant_by_slug("baishui"))
    data |= {"fax": "0123-6662009", "fees": "本机关依申请提供政府信息，不收取费用。"}
    saved = post_form(client, "/admin/baishui/disclosure/guide", data)
    assert saved.status_code == 302
    again = post_form(client, "/admin/baishui/disclosure/guide", data | {"remedy": "可以投诉、举报。\n\n也可以申请行政复议。"})
    assert again.status_code == 302
    refused = post_form(client, "/admin/baishui/disclosure/guide", data | {"office_name": ""})
    assert refused.status_code == 200 and "error" in refused.get_data(as_text=True)
    public = client.get("/qinglan/baishui/disclosure/guide").get_data(as_text=True)
    assert "第 2 版" in public and "更新日期" in public and "0123-6662009" in public and "也可以申请行政复议" in public
    old = client.get("/qinglan/baishui/disclosure/guide/v1").get_data(as_text=True)
    assert "这是历史版本" in old and "也可以申请行政复议" not in old
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            assert [v.version for v in guide.versions(tenant_by_slug("baishui"))] == [2, 1]
            assert guide.save(SYSTEM, tenant_by_slug("baishui"), data | {"remedy": "可以投诉、举报。\n\n也可以申请行政复议。"}) is None


def test_an_editor_may_not_change_the_guide(demo, client):
    Auth(client).login("li")
    assert client.get("/admin/baishui/disclosure/guide").status_code == 403
