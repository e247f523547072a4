"""Templates and inheritance: the district's standard, towns' 16 domains, villages' 5 categories,
links to the source, the consistency view."""
from __future__ import annotations

from sqlalchemy import func, select

from core.accounts import SYSTEM
from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.catalog import services, standard
from plugins.catalog.models import CatalogItem
from tests.catalog.fixtures import leaf


def _domains_of(slug: str) -> set[str]:
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        return {d.name for d, _ in services.tree(tenant)}


def test_the_demo_county_has_a_real_catalog(demo, ctx):
    district = _domains_of("qinglan")
    assert len([n for n in district if standard.domain_by_name(n).kind == "pilot"]) == 26
    town_domains = {d.name for d in standard.domains().values() if d.reaches_town}
    for town in ("baishui", "liuhe", "chengguan"):
        assert _domains_of(town) == town_domains
    for village in ("dongpo", "xihe", "liuhecun", "shangzhuang", "nanmen", "beiguan"):
        assert _domains_of(village) == {"村情概况", "村务公开", "财务公开", "服务公开", "其他公开"}


def test_town_items_are_the_town_level_part_and_link_to_their_source(demo, ctx):
    town, district = tenant_by_slug("baishui"), tenant_by_slug("qinglan")
    with tenant_scope(town):
        items = services.leaf_items(town, applicable_only=False)
        assert items and all("乡级" in i.levels for i in items)
        school = leaf(town, "义务教育学校名录")
    with tenant_scope(district):
        source = db.session.get(CatalogItem, school.source_id)
        assert source.tenant_id == district.id and source.name == "义务教育学校名录"
        assert "教育法律" in {i.name for i in services.leaf_items(district)}
    with tenant_scope(town):  # county-level-only items did not come down
        assert "教育法律" not in {i.name for i in services.leaf_items(town, applicable_only=False)}


def test_village_template_items_are_not_the_districts_own_obligations(demo, ctx):
    district = tenant_by_slug("qinglan")
    with tenant_scope(district):
        finance = leaf(district, "财务收支和“三资”管理情况")
        assert not services.is_applicable(finance, district)
        assert services.is_applicable(leaf(district, "规范性文件"), district)


def test_seeding_is_idempotent(demo, ctx):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        before = db.session.scalar(select(func.count()).select_from(CatalogItem))
        assert services.seed(town) == 0
        assert db.session.scalar(select(func.count()).select_from(CatalogItem)) == before


def test_switching_the_plugin_on_later_seeds_the_tenant(demo, ctx):
    from core.tenants.provisioning import create_tenant, set_plugins
    tenant = create_tenant(SYSTEM, slug="newtown", name="新镇", kind="town", parent=tenant_by_slug("qinglan"),
                           plugins=[])
    db.session.commit()
    with tenant_scope(tenant):
        assert services.all_items(tenant) == []
    set_plugins(SYSTEM, tenant, ["catalog"])
    db.session.commit()
    with tenant_scope(tenant):
        assert len({i.domain_code for i in services.all_items(tenant)}) == 16 + 17   # pilot + statutory


def test_consistency_view_shows_divergences_and_adopting_restores_them(demo, ctx):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        item = leaf(town, "义务教育学校名录")
        services.update_item(SYSTEM, item, {"responsible_body": "白水镇中心学校", "channels": ["公示栏"]})
        db.session.commit()
        result = services.divergences(town)
        changed = {i.name: [label for label, _, _ in diffs] for i, _, diffs in result["changed"]}
        assert changed == {"义务教育学校名录": ["公开主体", "公开渠道"]}
        assert result["missing"] == []
        services.adopt_source(SYSTEM, item)
        db.session.commit()
        assert services.divergences(town)["changed"] == []
        assert item.responsible_body == "教育体育局"


def test_a_new_standard_item_shows_as_missing_and_can_be_added(demo, ctx):
    district, town = tenant_by_slug("qinglan"), tenant_by_slug("baishui")
    with tenant_scope(district):
        parent = next(i for i in services.all_items(district) if i.name == "招生入学")
        services.create_item(SYSTEM, district, {"name": "转学办理", "content_elements": ["转学条件", "办理流程"],
                                                "levels": ["县级", "乡级"], "channels": ["政府网站"],
                                                "time_limit": "信息形成或者变更之日起20个工作日内"}, parent=parent)
        db.session.commit()
    with tenant_scope(town):
        assert [s["name"] for s in services.divergences(town)["missing"]] == ["转学办理"]
        assert services.add_missing(SYSTEM, town) == 1
        db.session.commit()
        added = leaf(town, "转学办理")
        assert added.parent.name == "招生入学" and added.source_id is not None
        assert services.divergences(town)["missing"] == []


def test_not_applicable_needs_a_reason_and_keeps_the_item(demo, ctx):
    import pytest

    from core.errors import DomainError
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        item = leaf(town, "文化活动信息")
        with pytest.raises(DomainError, match="必须说明理由"):
            services.set_applicability(SYSTEM, item, False, "")
        services.set_applicability(SYSTEM, item, False, "本镇综合文化站并入县文化馆，活动由县级统一发布")
        db.session.commit()
        assert item.not_applicable and item not in services.leaf_items(town)
        assert item in services.leaf_items(town, applicable_only=False)


def test_a_derived_item_cannot_be_deleted_but_a_local_one_can(demo, ctx):
    import pytest

    from core.errors import DomainError
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        with pytest.raises(DomainError, match="不能删除"):
            services.delete_item(SYSTEM, leaf(town, "义务教育学校名录"))
        local = services.create_item(SYSTEM, town, {"domain_code": "05", "name": "临时救助备用金使用情况",
                                                    "channels": ["公示栏"], "time_limit": "按季度公开"})
        assert local.rule == {"kind": "quarterly", "due_workdays": 15}
        services.delete_item(SYSTEM, local)
        db.session.commit()
    with across_tenants(None, reason="test check"):
        assert db.session.scalar(select(CatalogItem).where(CatalogItem.name == "临时救助备用金使用情况")) is None


def test_deleting_a_local_parent_deletes_its_children_and_a_parent_with_records_takes_no_children(demo, ctx):
    import pytest

    from core.errors import DomainError
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        parent = services.create_item(SYSTEM, town, {"domain_code": "05", "name": "本镇救助专项", "channels": ["公示栏"]})
        services.create_item(SYSTEM, town, {"name": "专项资金", "channels": ["公示栏"]}, parent=parent)
        db.session.commit()
        services.delete_item(SYSTEM, parent)
        db.session.commit()
        assert not [i for i in services.all_items(town) if i.name in ("本镇救助专项", "专项资金")]
        used = services.create_item(SYSTEM, town, {"domain_code": "05", "name": "已有信息的事项", "channels": ["公示栏"]})
        services.create_record(SYSTEM, town, {"item_id": used.id, "title": "一条信息"})
        with pytest.raises(DomainError, match="已有政府信息"):
            services.create_item(SYSTEM, town, {"name": "子事项", "channels": ["公示栏"]}, parent=used)
