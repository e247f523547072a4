"""法定主动公开内容 as a second standard (条例 第二十条, 第二十一条, 政府信息公开制度), the records' document
type and the annual report's section 二 figures (the proactive_disclosure_statistics hook), and the
专栏's parts the catalog holds (the disclosure_column_parts hook and their public pages)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.errors import DomainError
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.catalog import services, standard
from plugins.catalog.models import CatalogItem, Record
from tests.catalog.fixtures import leaf, make_record


def test_the_statutory_standard_has_every_category_of_articles_20_and_21():
    domains = standard.domains()
    statutory = {c: d for c, d in domains.items() if d.kind == "statutory"}
    assert list(statutory) == [f"F{n:02d}" for n in range(1, 16)] + ["F21", "F22", "ZD"]
    assert all(len(code) <= 8 for code in domains) and len(set(domains)) == len(domains)
    assert statutory["F02"].name == "机构职能" and statutory["F07"].article == "第二十条第（七）项"
    assert statutory["F21"].levels == ("县级",) and statutory["F22"].levels == ("乡级",)
    assert all(d.levels == ("县级", "乡级") for c, d in statutory.items() if c not in ("F21", "F22"))
    catalog = standard.standard_catalog()["domains"]
    for code in statutory:
        assert catalog[code], code
        for item in catalog[code]:
            assert [b["title"] for b in item["legal_basis"]] == ["中华人民共和国政府信息公开条例"]
            assert item["time_limit"] == "信息形成或者变更之日起20个工作日内" and item["methods"] == ["主动"]
            assert "政府网站" in item["channels"] and item["content_elements"]
    names = {i["name"] for i in catalog["F22"]}
    assert {"农村土地承包经营权流转", "宅基地使用情况审核", "筹资筹劳", "乡镇社会救助"} <= names
    assert {i["name"] for i in catalog["F21"]} >= {"市政建设", "公共服务", "公益事业", "治安管理"}
    # Names are distinct from the pilot domains', so a sheet title finds the one it names.
    assert standard.domain_by_name("青岚县财政预决算信息政务公开标准目录").code == "F07"
    assert standard.domain_by_name("财政预决算领域基层政务公开标准目录").code == "08"
    assert standard.domain_by_name("重大建设项目领域").code == "01"


@pytest.mark.parametrize("title, code", [("乡村振兴领域政务公开事项目录", "26"), ("公共资源服务领域", "02"),
                                         ("农村集体土地领域", "12"), ("食品药品领域", "24"), ("救灾生产领域", "23"),
                                         ("食品药品监管领域", "24"), ("户籍管理领域", "04")])
def test_names_real_catalogs_use_are_recognised_as_the_standard_domains(title, code):
    assert standard.domain_by_name(title).code == code


def test_districts_and_towns_get_the_statutory_domains_villages_do_not(demo, ctx):
    county, town, village = (tenant_by_slug(s) for s in ("qinglan", "baishui", "dongpo"))
    with tenant_scope(county):
        county_codes = {d.code for d, _ in services.tree(county, applicable_only=True)}
        county_items = {i.id: i for i in services.all_items(county)}
    with tenant_scope(town):
        town_items = services.all_items(town)
        town_codes = {d.code for d, _ in services.tree(town, applicable_only=True)}
    with tenant_scope(village):
        village_codes = {i.domain_code for i in services.all_items(village)}
    assert {"F01", "F02", "F15", "F21", "ZD"} <= county_codes and "F22" not in county_codes
    assert {"F01", "F02", "F15", "F22", "ZD"} <= town_codes and "F21" not in town_codes
    assert not {c for c in village_codes if c.startswith("F") or c == "ZD"}
    # A town's statutory items derive from the district's (相同事项的公开内容对应一致).
    for item in (i for i in town_items if i.domain_code.startswith("F") or i.domain_code == "ZD"):
        assert county_items[item.source_id].name == item.name


def _counts(app, slug: str, year: int) -> dict:
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        return app.extensions["cms"].hook_for(tenant, "proactive_disclosure_statistics")(tenant=tenant, year=year)


ZERO = {"issued": 0, "repealed": 0, "in_force": 0}


def test_section_two_of_the_demo_year_equals_a_hand_count(demo_content, ctx):
    """The demo's 行政规范性文件 (plugins/catalog/demo.py, _county_statutory and _town_statutory), counted
    by hand for 2025:
    青岚县 — 青政规〔2023〕1号 (失效日期 2025-06-30), 〔2024〕2号 (repealed 2026-08-12), 〔2025〕1号 (written
    2025-02-18, repealed 2025-11-20), 〔2025〕2号 (2025-06-10), 〔2025〕3号 (2025-11-14), 〔2026〕1号, 2号:
      issued in 2025: 2025-1, 2025-2, 2025-3                                     → 3
      repealed in 2025: 2025-1                                                    → 1
      in force on 2025-12-31: 2024-2 (repealed only in 2026), 2025-2, 2025-3;
        not 2023-1 (lapsed on 2025-06-30), not 2025-1 (repealed), not the 2026 ones → 3
    白水镇 — 白政规〔2025〕1号 (2025-04-08), 〔2025〕2号 (2025-05-06, repealed 2025-12-01), 〔2026〕1号:
      issued 2, repealed 1, in force 1 (2025-1).
    No tenant of the demo may make 规章: 0 everywhere."""
    assert _counts(ctx, "qinglan", 2025) == {"rules": ZERO, "normative": {"issued": 3, "repealed": 1, "in_force": 3}}
    assert _counts(ctx, "baishui", 2025) == {"rules": ZERO, "normative": {"issued": 2, "repealed": 1, "in_force": 1}}
    # 2024 (青岚县): 青政规〔2024〕2号 issued; in force: it and 2023-1 (失效 only in 2025).
    assert _counts(ctx, "qinglan", 2024) == {"rules": ZERO, "normative": {"issued": 1, "repealed": 0, "in_force": 2}}
    # The demo has them under 法定主动公开内容 (规章规范性文件), with its 公开制度, 机构职能 and 财政预决算.
    county = tenant_by_slug("qinglan")
    with tenant_scope(county):
        titles = {(r.item.domain_code, r.title) for r in db.session.scalars(select(Record).where(
            Record.status == "published"))}
    assert ("F01", "青岚县人民政府关于进一步规范农村宅基地审批管理的意见") in titles
    assert ("ZD", "青岚县政府信息公开工作制度（2025年修订）") in titles
    assert ("F02", "青岚县人民政府机构职能") in titles and any(code == "F07" for code, _ in titles)


def test_a_repealed_normative_document_counts_in_its_repeal_year_and_leaves_in_force(demo, ctx):
    record_id = make_record("baishui", "行政规范性文件", "白水镇茶园管理办法", written=date(2024, 3, 1),
                            when=date(2024, 3, 8), doc_type="normative")
    town = tenant_by_slug("baishui")
    assert _counts(ctx, "baishui", 2024)["normative"] == {"issued": 1, "repealed": 0, "in_force": 1}
    with tenant_scope(town):
        services.lapse(SYSTEM, db.session.get(Record, record_id), "repealed", on=date(2025, 5, 1))
        db.session.commit()
    assert _counts(ctx, "baishui", 2024)["normative"] == {"issued": 1, "repealed": 0, "in_force": 1}
    assert _counts(ctx, "baishui", 2025)["normative"] == {"issued": 0, "repealed": 1, "in_force": 0}
    assert _counts(ctx, "baishui", 2026)["normative"] == ZERO
    # Without a 成文日期 the China date of publication counts (published 2025-01-01 00:30 in China).
    from datetime import datetime, timezone
    with tenant_scope(town):
        undated = services.create_record(SYSTEM, town, {"item_id": leaf(town, "行政规范性文件").id,
                                                        "title": "无成文日期的规范性文件", "doc_type": "normative"})
        services.publish(SYSTEM, undated, review_confirmed=True, when=datetime(2024, 12, 31, 16, 30, tzinfo=timezone.utc))
        db.session.commit()
    assert _counts(ctx, "baishui", 2025)["normative"] == {"issued": 1, "repealed": 1, "in_force": 1}


def test_county_and_town_cannot_type_a_record_as_rule(demo, ctx, client, runner):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        item = leaf(town, "行政规范性文件").id
        with pytest.raises(DomainError, match="没有规章制定权"):
            services.create_record(SYSTEM, town, {"item_id": item, "title": "规章", "doc_type": "rule"})
        with pytest.raises(DomainError, match="文件类型"):
            services.create_record(SYSTEM, town, {"item_id": item, "title": "乱写", "doc_type": "law"})
        assert list(services.doc_types_for(town)) == ["", "normative"]
        db.session.rollback()
    token = runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post("/api/v1/tenants/baishui/catalog/records", headers=headers,
                          json={"item_id": item, "title": "规章", "doc_type": "rule"})
    assert refused.status_code == 400 and "规章" in refused.get_json()["error"]
    created = client.post("/api/v1/tenants/baishui/catalog/records", headers=headers,
                          json={"item_id": item, "title": "规范性文件", "doc_type": "normative"})
    assert created.status_code == 201 and created.get_json()["doc_type"] == "normative"
    patched = client.patch(f"/api/v1/tenants/baishui/catalog/records/{created.get_json()['id']}", headers=headers,
                           json={"doc_type": ""})
    assert patched.status_code == 200 and patched.get_json()["doc_type"] == ""


def test_the_record_form_offers_the_document_type_without_rule(demo, client, auth):
    from tests.conftest import post_form
    auth.login("li")
    with client.application.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            item = leaf(town, "行政规范性文件").id
    html = client.get("/admin/baishui/catalog/records/new").get_data(as_text=True)
    assert 'value="normative"' in html and 'value="rule"' not in html
    response = post_form(client, "/admin/baishui/catalog/records/new",
                         {"item_id": item, "title": "白水镇规范性文件草稿", "doc_type": "normative", "disclosure": "proactive"})
    assert response.status_code == 302
    refused = post_form(client, "/admin/baishui/catalog/records/new",
                        {"item_id": item, "title": "白水镇规章", "doc_type": "rule", "disclosure": "proactive"})
    assert refused.status_code == 200 and "没有规章制定权" in refused.get_data(as_text=True)
    with client.application.app_context(), tenant_scope(tenant_by_slug("baishui")):
        assert db.session.scalar(select(Record.doc_type).where(Record.title == "白水镇规范性文件草稿")) == "normative"
        assert db.session.scalar(select(Record).where(Record.title == "白水镇规章")) is None


def test_the_column_parts_and_their_public_pages(demo, ctx, client):
    registry = ctx.extensions["cms"]
    town, village = tenant_by_slug("baishui"), tenant_by_slug("dongpo")
    with ctx.test_request_context():
        parts = {p.title: p for p in registry.hook_for(town, "disclosure_column_parts", only=["catalog"])(tenant=town)
                 for p in ([p] if not isinstance(p, list) else p)}
        village_parts = registry.hook_for(village, "disclosure_column_parts", only=["catalog"])(tenant=village)
    assert parts["政府信息公开制度"].order == 20 and parts["政府信息公开制度"].url == "/qinglan/baishui/catalog/rules/"
    assert parts["法定主动公开内容"].order == 30 and parts["法定主动公开内容"].url == "/qinglan/baishui/catalog/statutory/"
    assert all(p == [] for p in village_parts)
    make_record("baishui", "政府信息公开制度文件", "白水镇政府信息公开工作制度")
    make_record("baishui", "政府信息公开制度文件", "白水镇保密审查草稿", publish=False)
    make_record("baishui", "机关职能和机构设置", "白水镇机构职能")
    make_record("liuhe", "政府信息公开制度文件", "柳河镇政府信息公开工作制度")
    rules = client.get("/qinglan/baishui/catalog/rules/").get_data(as_text=True)
    assert "白水镇政府信息公开工作制度" in rules and "保密审查草稿" not in rules and "柳河镇" not in rules
    page = client.get("/qinglan/baishui/catalog/statutory/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "机构职能" in html and "白水镇机构职能" in html
    assert "农业农村等重点领域" in html and "市政建设等重点领域" not in html      # 第二十一条, the town's part
    assert "政府信息公开制度文件" not in html                                   # a part of its own
    county = client.get("/qinglan/catalog/statutory/").get_data(as_text=True)
    assert "市政建设等重点领域" in county and "农业农村等重点领域" not in county and "白水镇机构职能" not in county
    assert client.get("/qinglan/baishui/dongpo/catalog/statutory/").status_code == 404
    assert client.get("/qinglan/baishui/dongpo/catalog/rules/").status_code == 404


def test_the_migration_brings_the_statutory_domains_to_existing_tenants(tmp_path):
    """Migration 0005_catalog: a district and a town that had a catalog before get the statutory
    items (the town's linked to the district's); a village and a tenant without a catalog do not."""
    from datetime import datetime, timezone

    from flask_migrate import upgrade
    from sqlalchemy import MetaData, insert

    from tests.conftest import fresh_database, make_app
    from tests.core.test_upgrade import filled
    now = datetime(2026, 3, 1, 2, tzinfo=timezone.utc).replace(tzinfo=None)
    with fresh_database(tmp_path, "cms_catalog_upgrade") as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="0004_catalog")
            old = MetaData()
            with db.engine.begin() as conn:
                old.reflect(conn, only=["tenants", "catalog_items"])
                tenants, items = old.tables["tenants"], old.tables["catalog_items"]
                for id_, slug, kind, path, parent in ((1, "laoxian", "district", "/1/", None),
                                                      (2, "laozhen", "town", "/1/2/", 1),
                                                      (3, "laocun", "village", "/1/2/3/", 2),
                                                      (4, "kongzhen", "town", "/1/4/", 1)):
                    conn.execute(insert(tenants).values(**filled(
                        tenants, now, id=id_, slug=slug, name=slug, kind=kind, path=path, parent_id=parent,
                        intro="", contact={}, enabled_plugins=["catalog"], status="active", sort_order=0,
                        created_at=now, updated_at=now)))
                for tenant_id, code, level in ((1, "03", "县级"), (2, "03", "乡级"), (3, "V1", "村级")):
                    conn.execute(insert(items).values(**filled(   # ids from the sequence, as the app's
                        items, now, tenant_id=tenant_id, domain_code=code, position=1, name="旧事项",
                        content_elements=[], legal_basis=[], time_limit="", responsible_body="", methods=["主动"],
                        channels=[], audience="全社会", audience_note="", levels=[level], not_applicable=False,
                        rule={}, created_at=now, updated_at=now)))
            upgrade(revision="heads")
            with across_tenants(None, reason="test: every tenant's items"):
                rows = db.session.scalars(select(CatalogItem)).all()
                by_tenant: dict[int, list[CatalogItem]] = {}
                for row in rows:
                    by_tenant.setdefault(row.tenant_id, []).append(row)
                county = {i.id: i for i in by_tenant[1]}
                assert {i.domain_code for i in county.values()} >= {"F01", "F21", "F22", "ZD"}
                town = [i for i in by_tenant[2] if i.domain_code != "03"]
                assert {i.domain_code for i in town} == {f"F{n:02d}" for n in range(1, 16)} | {"F22", "ZD"}
                assert all(county[i.source_id].name == i.name for i in town)
                assert {i.domain_code for i in by_tenant[3]} == {"V1"}
                assert 4 not in by_tenant          # no catalog yet: seeded when it is provisioned
            from sqlalchemy import inspect
            assert "doc_type" in {c["name"] for c in inspect(db.engine).get_columns("catalog_records")}
            db.session.remove()
            db.engine.dispose()
