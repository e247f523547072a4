"""Helpers for the decisions tests, and the plugin's routes in the access matrix."""
from __future__ import annotations

from datetime import date, timedelta

from core.accounts import SYSTEM
from core.clock import china_today
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.decisions import services

APPROVAL = {"approved_by": "白水镇人民政府", "approval_meeting": "镇人民政府第1次镇长办公会议"}


def item_data(name: str = "白水镇农村供水管理办法", **extra) -> dict:
    year = extra.pop("year", china_today().year)
    return {"name": name, "decision_type": "policy", "unit": "白水镇经济发展办公室", "due_on": date(year, 12, 31),
            "procedures": ["participation", "expert", "legality", "collective"], "summary": "", **extra}


def make_list(slug: str = "baishui", year: int | None = None, *, items=("白水镇农村供水管理办法",), publish: bool = False):
    """A list of `year` (this year) with `items`, published if asked, as SYSTEM; committed; (list id, [item ids])."""
    tenant = tenant_by_slug(slug)
    year = year or china_today().year
    with tenant_scope(tenant):
        row = services.create_list(SYSTEM, tenant, year)
        made = [services.add_item(SYSTEM, row, item_data(name, year=year)) for name in items]
        if publish:
            services.publish_list(SYSTEM, row, APPROVAL | {"approved_on": min(china_today(), date(year, 12, 31)) - timedelta(days=1)})
        db.session.commit()
        return row.id, [i.id for i in made]


# --- the access matrix (tests/access.py) --------------------------------------------------------

def pytest_cms_access_routes():
    return {
        ("decisions.index", "/<tenant:tenant_path>/decisions/"): "public",
        ("decisions.decision_list", "/<tenant:tenant_path>/decisions/lists/<int:list_id>"): "public",
        ("decisions.item", "/<tenant:tenant_path>/decisions/items/<int:decision_id>"): "public",
        ("decisions.feed", "/<tenant:tenant_path>/decisions/feed.atom"): "public",
        ("decisions_api.lists", "/api/v1/tenants/<tenant_slug>/decisions/lists"): "api_read",
        ("decisions_api.decision_list", "/api/v1/tenants/<tenant_slug>/decisions/lists/<int:list_id>"): "api_read",
        ("decisions_api.item", "/api/v1/tenants/<tenant_slug>/decisions/items/<int:decision_id>"): "api_read",
        # the office: another town's editor gets 404 on every one
        ("decisions_admin.index", "/admin/<tenant_slug>/decisions/"): "admin",
        ("decisions_admin.create", "/admin/<tenant_slug>/decisions/new"): "admin",
        ("decisions_admin.decision_list", "/admin/<tenant_slug>/decisions/<int:list_id>"): "admin",
        ("decisions_admin.list_save", "/admin/<tenant_slug>/decisions/<int:list_id>"): "admin",
        ("decisions_admin.publish", "/admin/<tenant_slug>/decisions/<int:list_id>/publish"): "admin",
        ("decisions_admin.item_new", "/admin/<tenant_slug>/decisions/<int:list_id>/items/new"): "admin",
        ("decisions_admin.item", "/admin/<tenant_slug>/decisions/items/<int:decision_id>"): "admin",
        ("decisions_admin.item_delete", "/admin/<tenant_slug>/decisions/items/<int:decision_id>/delete"): "admin",
        ("decisions_admin.item_remove", "/admin/<tenant_slug>/decisions/items/<int:decision_id>/remove"): "admin",
        ("decisions_admin.stage", "/admin/<tenant_slug>/decisions/items/<int:decision_id>/stages/<kind>"): "admin",
        ("decisions_admin.stage_delete", "/admin/<tenant_slug>/decisions/stages/<int:stage_id>/delete"): "admin",
        ("decisions_admin.completion", "/admin/<tenant_slug>/decisions/<int:list_id>/completion"): "admin",
        ("decisions_admin.completion_publish", "/admin/<tenant_slug>/decisions/<int:list_id>/completion/publish"): "admin",
    }


def pytest_cms_access_objects(town, county):
    """In the victim town: a draft list (next year's) whose item and stage carry SECRET, and a
    published list (this year's) with an item and a stage."""
    from tests.access import SECRET
    today = china_today()
    with tenant_scope(town):
        draft = services.create_list(SYSTEM, town, today.year + 1, intro=SECRET)
        hidden = services.add_item(SYSTEM, draft, item_data(f"{SECRET}草稿事项", year=today.year + 1, summary=SECRET))
        hidden_stage = services.record_stage(SYSTEM, hidden, "expert", {"happened_on": today, "text": SECRET})
        published = services.create_list(SYSTEM, town, today.year)
        shown = services.add_item(SYSTEM, published, item_data("公开的决策事项"))
        services.publish_list(SYSTEM, published, APPROVAL | {"approved_on": today})
        shown_stage = services.record_stage(SYSTEM, shown, "expert", {"happened_on": today, "text": "专家论证意见"})
    return {"blueprints": ("decisions", "decisions_admin", "decisions_api"),
            "draft": {"list_id": draft.id, "decision_id": hidden.id, "stage_id": hidden_stage.id},
            "published": {"list_id": published.id, "decision_id": shown.id, "stage_id": shown_stage.id},
            "any": {"kind": "expert"},
            "objects": {"list_id", "decision_id", "stage_id"}, "private": {"list_id", "decision_id"},
            "owned": {"list_id", "decision_id", "stage_id"}}


def pytest_cms_access_owner_pages(values):
    draft = values["decisions_admin"]["draft"]
    return [f"/admin/baishui/decisions/{draft['list_id']}", f"/admin/baishui/decisions/items/{draft['decision_id']}"]
