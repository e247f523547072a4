"""Helpers for the catalog tests: find items by name, write records through the services."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from core.accounts import SYSTEM, user_by_username
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from core.clock import CHINA_TZ
from plugins.catalog import services
from tests.access import SECRET


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=CHINA_TZ).astimezone(timezone.utc)


def leaf(tenant, name: str):
    matches = [i for i in services.leaf_items(tenant, applicable_only=False) if i.name == name]
    assert matches, f"{tenant.slug} has no item {name}"
    return matches[0]


def make_record(slug: str, item_name: str, title: str, *, publish: bool = True, written: date | None = None,
                when: date | None = None, disclosure: str = "proactive", actor=SYSTEM, **extra):
    """A record written (and by default published) in the tenant's scope; committed."""
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        data = {"item_id": leaf(tenant, item_name).id, "title": title, "written_date": written,
                "disclosure": disclosure, **extra}
        if disclosure != "proactive":
            data.setdefault("disclosure_reason", "《中华人民共和国政府信息公开条例》第十五条")
        record = services.create_record(actor, tenant, data)
        if publish:
            services.publish(actor, record, review_confirmed=True, when=at(when) if when else None)
        db.session.commit()
        return record.id


@pytest.fixture
def users(demo, ctx):
    return {name: user_by_username(name) for name in ("wang", "li", "zhao", "chen", "admin")}



# --- the access matrix (tests/access.py) --------------------------------------------------------

def pytest_cms_access_routes():
    return {
    ("catalog.feed", "/<tenant:tenant_path>/catalog/feed.atom"): "public",
    ("catalog.index", "/<tenant:tenant_path>/catalog/"): "public",
    ("catalog.item", "/<tenant:tenant_path>/catalog/items/<int:item_id>"): "public",
    ("catalog.record", "/<tenant:tenant_path>/catalog/records/<int:record_id>"): "public",
    ("catalog.records", "/<tenant:tenant_path>/catalog/records/"): "public",
    ("catalog.rules", "/<tenant:tenant_path>/catalog/rules/"): "public",
    ("catalog.statutory", "/<tenant:tenant_path>/catalog/statutory/"): "public",
    ("catalog_admin.domains", "/admin/<tenant_slug>/catalog/domains"): "admin",
    ("catalog_admin.domain_new", "/admin/<tenant_slug>/catalog/domains/new"): "admin",
    ("catalog_admin.domain_edit", "/admin/<tenant_slug>/catalog/domains/<int:domain_id>/edit"): "admin",
    ("catalog_admin.domain_active", "/admin/<tenant_slug>/catalog/domains/<int:domain_id>/active"): "admin",
    ("catalog_admin.domain_propagate", "/admin/<tenant_slug>/catalog/domains/<int:domain_id>/propagate"): "admin",
    ("catalog_admin.add_missing", "/admin/<tenant_slug>/catalog/consistency/add-missing"): "admin",
    ("catalog_admin.consistency", "/admin/<tenant_slug>/catalog/consistency"): "admin",
    ("catalog_admin.export_catalog", "/admin/<tenant_slug>/catalog/export.xlsx"): "admin",
    ("catalog_admin.import_catalog", "/admin/<tenant_slug>/catalog/import"): "admin",
    ("catalog_admin.index", "/admin/<tenant_slug>/catalog/"): "admin",
    ("catalog_admin.item_adopt", "/admin/<tenant_slug>/catalog/items/<int:item_id>/adopt"): "admin",
    ("catalog_admin.item_applicability", "/admin/<tenant_slug>/catalog/items/<int:item_id>/applicability"): "admin",
    ("catalog_admin.item_delete", "/admin/<tenant_slug>/catalog/items/<int:item_id>/delete"): "admin",
    ("catalog_admin.item_edit", "/admin/<tenant_slug>/catalog/items/<int:item_id>/edit"): "admin",
    ("catalog_admin.item_new", "/admin/<tenant_slug>/catalog/items/new"): "admin",
    ("catalog_admin.items", "/admin/<tenant_slug>/catalog/items"): "admin",
    ("catalog_admin.record_delete", "/admin/<tenant_slug>/catalog/records/<int:record_id>/delete"): "admin",
    ("catalog_admin.record_edit", "/admin/<tenant_slug>/catalog/records/<int:record_id>"): "admin",
    ("catalog_admin.record_new", "/admin/<tenant_slug>/catalog/records/new"): "admin",
    ("catalog_admin.record_publish", "/admin/<tenant_slug>/catalog/records/<int:record_id>/publish"): "admin",
    ("catalog_admin.record_return", "/admin/<tenant_slug>/catalog/records/<int:record_id>/return"): "admin",
    ("catalog_admin.record_submit", "/admin/<tenant_slug>/catalog/records/<int:record_id>/submit"): "admin",
    ("catalog_admin.record_withdraw", "/admin/<tenant_slug>/catalog/records/<int:record_id>/withdraw"): "admin",
    ("catalog_admin.review_queue", "/admin/<tenant_slug>/catalog/review"): "admin",
    ("catalog_admin.record_validity", "/admin/<tenant_slug>/catalog/records/<int:record_id>/validity"): "admin",
    ("catalog_admin.records", "/admin/<tenant_slug>/catalog/records"): "admin",
    ("catalog_admin.settings", "/admin/<tenant_slug>/catalog/settings"): "admin",
    ("catalog_admin.supervision", "/admin/<tenant_slug>/catalog/supervision"): "admin",
    ("catalog_admin.supervision_csv", "/admin/<tenant_slug>/catalog/supervision.csv"): "admin",
    ("catalog_admin.supervision_tenant", "/admin/<tenant_slug>/catalog/supervision/<slug>"): "admin",
    ("catalog_admin.supervision_xlsx", "/admin/<tenant_slug>/catalog/supervision.xlsx"): "admin",
    ("catalog_admin.supervision_pdf", "/admin/<tenant_slug>/catalog/supervision.pdf"): "admin",
    ("catalog_admin.assessment", "/admin/<tenant_slug>/catalog/assessment"): "admin",
    ("catalog_admin.assessment_xlsx", "/admin/<tenant_slug>/catalog/assessment.xlsx"): "admin",
    ("catalog_admin.assessment_pdf", "/admin/<tenant_slug>/catalog/assessment.pdf"): "admin",
    ("catalog_api.create_record", "/api/v1/tenants/<tenant_slug>/catalog/records"): "api_write",
    ("catalog_api.domains", "/api/v1/tenants/<tenant_slug>/catalog/domains"): "api_read",
    ("catalog_api.item", "/api/v1/tenants/<tenant_slug>/catalog/items/<int:item_id>"): "api_read",
    ("catalog_api.items", "/api/v1/tenants/<tenant_slug>/catalog/items"): "api_read",
    ("catalog_api.lapse_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/lapse"): "api_write",
    ("catalog_api.publish_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/publish"): "api_write",
    ("catalog_api.record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>"): "api_read",
    ("catalog_api.records", "/api/v1/tenants/<tenant_slug>/catalog/records"): "api_read",
    ("catalog_api.return_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/return"): "api_write",
    ("catalog_api.withdraw_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/withdraw"): "api_write",
    ("catalog_api.submit_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>/submit"): "api_write",
    ("catalog_api.update_record", "/api/v1/tenants/<tenant_slug>/catalog/records/<int:record_id>"): "api_write",
    }


def pytest_cms_access_objects(town, county):
    with tenant_scope(town):
        town_item = leaf(town, "法律援助")
        draft = services.create_record(SYSTEM, town, {"item_id": town_item.id, "title": f"{SECRET}草稿记录",
                                                      "body": f"<p>{SECRET}</p>"})
        published = services.create_record(SYSTEM, town, {"item_id": town_item.id, "title": "白水镇公开记录",
                                                          "body": "<p>公开</p>"})
        services.publish(SYSTEM, published, review_confirmed=True)
    with tenant_scope(county):   # a custom domain is the district's: a town's people cannot manage it
        domain = services.create_custom_domain(SYSTEM, county, {"name": "访问矩阵测试领域", "levels": ["乡级"]})
    return {"blueprints": ('catalog', 'catalog_admin', 'catalog_api'),
            "draft": {"record_id": draft.id}, "published": {"record_id": published.id},
            "any": {"item_id": town_item.id, "slug": "baishui", "domain_id": domain.id},
            "objects": {"record_id", "item_id", "slug", "domain_id"}, "private": {"record_id"},
            "owned": {"record_id", "item_id", "domain_id"}}


def pytest_cms_access_owner_pages(values):
    return [f"/admin/baishui/catalog/records/{values['catalog_admin']['draft']['record_id']}"]
