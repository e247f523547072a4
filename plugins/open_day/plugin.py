"""Hook implementations of the open-day plugin."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from core.plugin_api import (DashboardWidget, db, hookimpl, MenuEntry, Permission, plain_text, PluginInfo, PluginRoutes,
                            SearchDocument, SearchSource, url_path_for)

NAME = "open_day"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="政府开放日",
        description="开放日活动、报名、签到与活动回顾",
        tenant_kinds=("district", "town"),
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
        portal_menu=(MenuEntry("政府开放日", "open_day.index", order=30),),
        admin_menu=(MenuEntry("政府开放日", "open_day_admin.index", order=30, permission=Permission.CONTENT_VIEW),),
        column_type="互动交流",
        dashboard=(DashboardWidget("政府开放日", "open_day/widget.html", dashboard, order=30),),
    )


@hookimpl
def routes():
    from plugins.open_day import admin, api, views
    return PluginRoutes(plugin=NAME, public=views.bp, admin=admin.bp, api=api.bp)


def dashboard(tenant) -> dict:
    """What the dashboard box (PluginInfo.dashboard) shows."""
    from plugins.open_day.models import OpenDay
    from plugins.open_day.services import upcoming
    events = db.session.scalars(upcoming().where(OpenDay.tenant_id == tenant.id).limit(3)).all()
    drafts = db.session.scalar(select(func.count()).select_from(OpenDay).where(OpenDay.published_at.is_(None))) or 0
    return {"events": events, "drafts": drafts}


def event_document(event) -> SearchDocument | None:
    """A published open day as site search shows it; None while it is a draft."""
    if event.published_at is None:
        return None
    e = event
    return SearchDocument(plugin=NAME, kind="open_day", id=e.id, tenant_id=e.tenant_id, title=e.title,
                          body=" ".join(filter(None, [plain_text(e.description_html), e.notes, plain_text(e.review_html)])),
                          url=url_path_for("open_day.event", tenant=e.tenant, event_id=e.id),
                          published_at=e.published_at, extra=e.place, badge="已取消" if e.cancelled_at else "")


@hookimpl
def search_sources():
    from plugins.open_day.models import OpenDay
    # Not `taken`: a registration changes it, and must not touch the index.
    return [SearchSource(plugin=NAME, kind="open_day", label="政府开放日", model=OpenDay, document=event_document,
                         candidates=lambda: select(OpenDay).where(OpenDay.published_at.is_not(None)),
                         watch=("title", "description_html", "notes", "place", "review_html", "published_at",
                                "cancelled_at"))]


@hookimpl
def purge_personal_data(before):
    from plugins.open_day.services import purge_personal_data as purge
    erased = purge(before)
    return [f"政府开放日：删除 {erased} 条报名的姓名、手机号和身份证号"] if erased else []


@hookimpl
def demo_content():
    from plugins.open_day.demo import load_demo
    return load_demo()


@hookimpl
def home_sections(tenant):
    """Open days not yet held, the soonest first, with their place (not the places left: the page
    cache ignores registrations, so a count here would go stale)."""
    from flask import url_for

    from core.plugin_api import china_date, HomeEntry, HomeSection, utcnow
    from plugins.open_day.models import OpenDay
    if tenant.kind not in ("district", "town"):
        return []
    now = utcnow()
    events = db.session.scalars(
        select(OpenDay).where(OpenDay.tenant_id == tenant.id, OpenDay.published_at.is_not(None),
                              OpenDay.cancelled_at.is_(None), OpenDay.ends_at > now)
        .order_by(OpenDay.starts_at, OpenDay.id).limit(5)).all()
    entries = tuple(HomeEntry(e.title, url_for("open_day.event", tenant=tenant, event_id=e.id), china_date(e.starts_at),
                              e.place)
                    for e in events)
    return [HomeSection("open_day", "近期政府开放日", entries, url_for("open_day.index", tenant=tenant), order=30)]
