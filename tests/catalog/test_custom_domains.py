"""A district's own domains (乡村振兴, 十四五规划, 民生实事): added by its admin, items added in the item
admin, derived by the towns and villages of its levels like the standard's, counted in supervision,
exported and imported as .xlsx; nobody else manages them, and a disabled one leaves records alone."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.errors import DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import excel, services
from plugins.catalog.models import CustomDomain, Record
from plugins.catalog.supervision import evaluate
from tests.catalog.fixtures import leaf
from tests.conftest import Auth, post_form

ITEM = {"content_elements": "政策文件\n项目安排", "legal_basis": "法律：《中华人民共和国乡村振兴促进法》",
        "time_limit": "信息形成或者变更之日起20个工作日内", "responsible_body": "农业农村局",
        "methods": "主动", "channels": "政府网站", "audience": "全社会", "levels": ["县级", "乡级"]}


def _add_domain_with_two_items(client) -> tuple[int, str]:
    """Through the pages: the county's admin adds the domain, its editor two items in the item admin."""
    response = post_form(client, "/admin/qinglan/catalog/domains/new",
                         {"name": "乡村振兴", "levels": ["县级", "乡级"], "lead": "农业农村局\n乡村振兴局"})
    assert response.status_code == 302
    with client.application.app_context():
        county = tenant_by_slug("qinglan")
        with tenant_scope(county):
            domain = db.session.scalar(select(CustomDomain).where(CustomDomain.name == "乡村振兴"))
            domain_id, code = domain.id, domain.code
    assert code == "X01"
    Auth(client).logout()
    Auth(client).login("zheng")
    page = client.get(f"/admin/qinglan/catalog/items/new?domain={code}").get_data(as_text=True)
    assert f'<option selected value="{code}">' in page or re.search(rf'value="{code}"[^>]*selected', page)
    for name in ("衔接推进乡村振兴政策", "乡村振兴项目库"):
        response = post_form(client, "/admin/qinglan/catalog/items/new", {**ITEM, "domain_code": code, "name": name})
        assert response.status_code == 302, response.get_data(as_text=True)
    return domain_id, code


def test_a_district_admin_adds_a_domain_whose_items_reach_every_town(demo, client, auth):
    auth.login("wang")
    domain_id, code = _add_domain_with_two_items(client)
    auth.logout()
    auth.login("wang")
    listing = client.get("/admin/qinglan/catalog/domains").get_data(as_text=True)
    assert "乡村振兴" in listing and "农业农村局、乡村振兴局" in listing
    response = post_form(client, "/admin/qinglan/catalog/domains", {},
                         url=f"/admin/qinglan/catalog/domains/{domain_id}/propagate")
    assert response.status_code == 302
    with client.application.app_context():
        county = tenant_by_slug("qinglan")
        with tenant_scope(county):
            sources = {i.id: i.name for i in services.all_items(county) if i.domain_code == code}
        for slug in ("baishui", "liuhe", "chengguan"):
            town = tenant_by_slug(slug)
            with tenant_scope(town):
                mine = [i for i in services.all_items(town) if i.domain_code == code]
                assert sorted(sources[i.source_id] for i in mine) == sorted(sources.values()), slug
                assert services.domains_for(town)[code].name == "乡村振兴"     # read from the district
                assert [d.name for d, _ in services.tree(town, applicable_only=True) if d.code == code] == ["乡村振兴"]
        village = tenant_by_slug("dongpo")
        with tenant_scope(village):
            assert not [i for i in services.all_items(village) if i.domain_code == code]   # not 村级
        # It counts in supervision like the standard's items, and a new town is seeded with it.
        town = tenant_by_slug("baishui")
        report = evaluate([town])[0]
        assert {s.item.name for s in report.items if s.item.domain_code == code} == set(sources.values())
        from core.tenants.provisioning import create_tenant
        new = create_tenant(SYSTEM, slug="xinzhen", name="新镇", kind="town", parent=county)
        db.session.commit()
        with tenant_scope(new):
            assert len([i for i in services.all_items(new) if i.domain_code == code]) == 2
    # The public sees it in the town's column, and the API lists it.
    html = client.get("/qinglan/baishui/catalog/").get_data(as_text=True)
    assert "乡村振兴项目库" in html
    domains = client.get("/api/v1/tenants/baishui/catalog/domains").get_json()
    assert {"code": code, "name": "乡村振兴", "kind": "custom"}.items() <= next(d for d in domains if d["code"] == code).items()


def test_the_district_admin_names_the_first_items_with_the_domain_and_they_reach_every_town(demo, client, auth):
    """Issue 20's journey by one person: the district admin adds 乡村振兴 with two items in one form;
    on saving they are in the county's catalog and in every town's (not the villages': 县级、乡级)."""
    auth.login("wang")
    response = post_form(client, "/admin/qinglan/catalog/domains/new", {
        "name": "乡村振兴", "levels": ["县级", "乡级"], "lead": "农业农村局\n乡村振兴局",
        "items": "衔接推进乡村振兴政策\n\n乡村振兴项目库\n"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已新增领域“乡村振兴”（X01）。已新增事项 2 个，已下发到 3 个单位" in html
    with client.application.app_context():
        county = tenant_by_slug("qinglan")
        with tenant_scope(county):
            mine = {i.id: i for i in services.all_items(county) if i.domain_code == "X01"}
            domain_id = db.session.scalar(select(CustomDomain.id).where(CustomDomain.code == "X01"))
        assert sorted(i.name for i in mine.values()) == ["乡村振兴项目库", "衔接推进乡村振兴政策"]
        assert {i.responsible_body for i in mine.values()} == {"农业农村局"}
        assert all(i.rule == {"kind": "after_change", "days": 20} for i in mine.values())
        for slug in ("baishui", "liuhe", "chengguan"):
            with tenant_scope(tenant_by_slug(slug)):
                town_items = [i for i in services.all_items(tenant_by_slug(slug)) if i.domain_code == "X01"]
            assert sorted(i.source_id for i in town_items) == sorted(mine), slug
        with tenant_scope(tenant_by_slug("dongpo")):
            assert not [i for i in services.all_items(tenant_by_slug("dongpo")) if i.domain_code == "X01"]
    # A name the domain already has is refused on the form, and nothing of that save is kept.
    response = post_form(client, f"/admin/qinglan/catalog/domains/{domain_id}/edit", {
        "name": "乡村振兴振兴", "levels": ["县级", "乡级"], "lead": "农业农村局", "items": "乡村振兴项目库\n驻村工作"})
    assert response.status_code == 200 and "领域中已有事项：乡村振兴项目库" in response.get_data(as_text=True)
    with client.application.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert db.session.get(CustomDomain, domain_id).name == "乡村振兴"
    # Added later on the same page: saved and sent down at once.
    response = post_form(client, f"/admin/qinglan/catalog/domains/{domain_id}/edit", {
        "name": "乡村振兴", "levels": ["县级", "乡级"], "lead": "农业农村局\n乡村振兴局", "items": "驻村工作"},
        follow_redirects=True)
    assert "已新增事项 1 个，已下发到 3 个单位" in response.get_data(as_text=True)


def test_only_the_district_admin_manages_domains(demo, client, auth, runner):
    with client.application.app_context():
        county = tenant_by_slug("qinglan")
        with tenant_scope(county):
            domain = services.create_custom_domain(SYSTEM, county, {"name": "民生实事", "levels": ["乡级"]})
            db.session.commit()
            domain_id = domain.id
    anonymous = client.get("/admin/qinglan/catalog/domains")
    assert anonymous.status_code == 302                                           # to the login page
    auth.login("zheng")                                                           # the county's editor
    assert client.get("/admin/qinglan/catalog/domains").status_code == 403
    assert client.get(f"/admin/qinglan/catalog/domains/{domain_id}/edit").status_code == 403
    town_client = client.application.test_client()
    Auth(town_client).login("li")                                                 # a town's editor
    for url in ("/admin/qinglan/catalog/domains", f"/admin/qinglan/catalog/domains/{domain_id}/edit",
                "/admin/baishui/catalog/domains", f"/admin/baishui/catalog/domains/{domain_id}/edit",
                "/admin/baishui/catalog/domains/new"):
        assert town_client.get(url).status_code == 404, url
    response = post_form(town_client, "/admin/baishui/catalog/records", {"active": "0"},
                         url=f"/admin/baishui/catalog/domains/{domain_id}/active")
    assert response.status_code == 404
    # A town's own admin has no domains of its own either (404), and the service refuses it.
    with client.application.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town), pytest.raises(Exception):
            services.create_custom_domain(SYSTEM, town, {"name": "镇的领域", "levels": ["乡级"]})
        db.session.rollback()
        with tenant_scope(tenant_by_slug("qinglan")):
            assert db.session.get(CustomDomain, domain_id).active is True


def test_names_codes_and_renaming(demo, ctx):
    county = tenant_by_slug("qinglan")
    with tenant_scope(county):
        first = services.create_custom_domain(SYSTEM, county, {"name": "“十四五”规划", "levels": ["县级"]})
        second = services.create_custom_domain(SYSTEM, county, {"name": "民生实事", "levels": ["县级", "村级"]})
        assert (first.code, second.code) == ("X01", "X02")
        for bad, field in (({"name": "义务教育", "levels": ["县级"]}, "标准目录"),
                           ({"name": "民生实事", "levels": ["县级"]}, "已有"),
                           ({"name": "", "levels": ["县级"]}, "名称"), ({"name": "新领域", "levels": []}, "层级")):
            with pytest.raises(DomainError, match=field):
                services.create_custom_domain(SYSTEM, county, bad)
        item = services.create_item(SYSTEM, county, {"domain_code": second.code, "name": "民生实事项目",
                                                     "levels": ["县级"], "time_limit": "每季度结束后15个工作日内"})
        record = services.create_record(SYSTEM, county, {"item_id": item.id, "title": "2026年十件民生实事"})
        services.publish(SYSTEM, record, review_confirmed=True)
        assert services.update_custom_domain(SYSTEM, second, {"name": "为民办实事"}) == ["name"]
        db.session.flush()
        db.session.refresh(item)
        db.session.refresh(record)
        assert item.domain_code == "X02" and item.name == "民生实事项目" and record.title == "2026年十件民生实事"
        assert services.domains_for(county)["X02"].name == "为民办实事"
        # Disabled: not offered, not counted, not public; the item and its record stay.
        services.set_custom_domain_active(SYSTEM, second, False)
        assert "X02" not in services.domains_for(county, active_only=True)
        assert "X02" in services.domains_for(county)
        with pytest.raises(DomainError, match="领域"):
            services.create_item(SYSTEM, county, {"domain_code": "X02", "name": "又一项", "levels": ["县级"]})
        assert item.id not in {s.item.id for s in evaluate([county])[0].items}
        assert "X02" not in {d.code for d, _ in services.tree(county, applicable_only=True)}
        assert db.session.get(Record, record.id).status == "published"
        services.update_record(SYSTEM, record, {"item_id": item.id, "title": "2026年十件民生实事（更正）"})
        # The code is never reused.
        assert services.create_custom_domain(SYSTEM, county, {"name": "营商环境", "levels": ["县级"]}).code == "X03"
        db.session.rollback()


def test_a_custom_domain_sheet_exports_and_imports_into_that_domain(demo, ctx):
    county = tenant_by_slug("qinglan")
    with tenant_scope(county):
        domain = services.create_custom_domain(SYSTEM, county, {"name": "乡村振兴", "levels": ["县级", "乡级"]})
        services.create_item(SYSTEM, county, {"domain_code": domain.code, "name": "乡村振兴项目库",
                                              "content_elements": ["项目名称", "资金规模"], "levels": ["县级", "乡级"],
                                              "responsible_body": "农业农村局", "channels": ["政府网站"],
                                              "time_limit": "信息形成或者变更之日起20个工作日内"})
        db.session.commit()
        data = excel.export_catalog(county)
        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert "乡村振兴" in wb.sheetnames
        # Only that sheet, re-imported: it goes to the custom domain (its exact name wins over the
        # alias 乡村振兴 → 扶贫), matched to its item, nothing new.
        for name in list(wb.sheetnames):
            if name != "乡村振兴":
                del wb[name]
        ws = wb["乡村振兴"]
        ws["D4"] = "●项目名称●资金规模●实施地点"
        buffer = io.BytesIO()
        wb.save(buffer)
        parsed, plan = excel.preview_import(SYSTEM, county, buffer.getvalue())
        assert [p.domain_code for p in parsed] == [domain.code]
        report = excel.apply_import(SYSTEM, county, parsed, plan=plan)
        assert (report.created, report.updated) == (0, 1)
        item = leaf(county, "乡村振兴项目库")
        assert item.content_elements == ["项目名称", "资金规模", "实施地点"]
        # Without the custom domain (another county), the same title means the standard's 扶贫.
        db.session.rollback()
    from plugins.catalog import standard
    assert standard.domain_by_name("青岚县乡村振兴政务公开标准目录").code == "26"
    with tenant_scope(county):
        assert services.domain_by_name(county, "青岚县乡村振兴政务公开标准目录").code == "X01"
        town = tenant_by_slug("baishui")
    with tenant_scope(town):
        assert services.domain_by_name(town, "乡村振兴领域目录").code == "X01"   # the town reads its district's


def test_a_town_cannot_reach_another_districts_or_add_to_a_domain_not_of_its_level(demo, ctx):
    county = tenant_by_slug("qinglan")
    with tenant_scope(county):
        code = services.create_custom_domain(SYSTEM, county, {"name": "县直专项", "levels": ["县级"]}).code
        db.session.commit()
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        assert services.domains_for(town)[code].kind == "custom"
        # Not in a town's choices: it does not reach the town level.
        from plugins.catalog.admin import _domain_choices
        assert code not in dict(_domain_choices(town))
        # The town's scope does not see the district's rows otherwise.
        assert db.session.scalar(select(CustomDomain)) is None
