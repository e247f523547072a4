"""Hook implementations of the catalog plugin: the standard catalog, records, supervision."""
from __future__ import annotations

import re
from pathlib import Path

from flask import url_for
from sqlalchemy import func, select

from core.plugin_api import (DashboardWidget, db, has_permission, hookimpl, MenuEntry, NavItem, Permission, plain_text, PluginInfo, PluginRoutes,
                            SearchDocument, SearchFollow, SearchSource, SharedDocument, url_path_for)

NAME = "catalog"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="政务公开目录",
        description="标准目录、政府信息发布与时效监督",
        tenant_kinds=("district", "town", "village"),
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
        admin_menu=(MenuEntry("政府信息", "catalog_admin.records", order=10, permission=Permission.CONTENT_VIEW),
                    MenuEntry("公开目录", "catalog_admin.items", order=11, permission=Permission.CONTENT_VIEW)),
        dashboard=(DashboardWidget("政府信息公开", "catalog/widget.html", dashboard, order=10),),
    )


@hookimpl
def routes():
    from plugins.catalog import admin, api, views
    return PluginRoutes(plugin=NAME, public=views.bp, admin=admin.bp, api=api.bp)


@hookimpl
def portal_nav(tenant):
    from plugins.catalog.views import column_label
    return [NavItem(plugin=NAME, title=column_label(tenant), url=url_for("catalog.index", tenant=tenant), order=10)]


@hookimpl
def disclosure_column_parts(tenant):
    """The 专栏's 政府信息公开制度 (records of the 公开制度 item) and 法定主动公开内容 (the statutory
    domains), for governments (districts and towns); a village's column is 村务公开."""
    if tenant.kind == "village":
        return []
    return [NavItem(plugin=NAME, title="政府信息公开制度", url=url_for("catalog.rules", tenant=tenant), order=20),
            NavItem(plugin=NAME, title="法定主动公开内容", url=url_for("catalog.statutory", tenant=tenant), order=30)]


@hookimpl
def proactive_disclosure_statistics(tenant, year):
    """Section 二, 第二十条第（一）项 of the annual report: see services.proactive_statistics."""
    from plugins.catalog.services import proactive_statistics
    return proactive_statistics(tenant, year)


@hookimpl
def admin_nav(tenant, user):
    """The supervision link, for those the named policy lets supervise (not a single permission)."""
    from plugins.catalog.services import may_supervise
    if may_supervise(user, tenant):
        return NavItem(plugin=NAME, title="时效监督", url=url_for("catalog_admin.supervision", tenant=tenant), order=12)
    return None


def dashboard(tenant) -> dict:
    """What the dashboard box (PluginInfo.dashboard) shows: counts, completeness, and each side of
    the review its to-dos (a reviewer what waits, with the oldest's age; an author what was sent
    back, with the reason)."""
    from flask_login import current_user

    from plugins.catalog.models import Record
    from plugins.catalog.services import approved_for, returned_to, review_queue, waiting_for
    from plugins.catalog.supervision import evaluate
    counts = dict(db.session.execute(select(Record.status, func.count()).where(Record.tenant_id == tenant.id)
                                     .group_by(Record.status)).all())
    queue = review_queue(current_user, tenant) if has_permission(current_user, Permission.CONTENT_PUBLISH, tenant) else []
    return {"counts": counts, "report": evaluate([tenant])[0], "queue": queue,
            "oldest": waiting_for(queue[0].submitted_at) if queue else "", "returned": returned_to(current_user, tenant),
            "approved": approved_for(current_user, tenant)}


@hookimpl
def tenant_provisioned(tenant):
    from plugins.catalog.services import seed, settings_for
    seed(tenant)
    settings_for(tenant)


BADGES = {"expired": "已失效", "repealed": "已废止"}


def record_document(record) -> SearchDocument | None:
    """A published, proactively disclosed record as site search shows it; None otherwise."""
    if record.status != "published" or record.disclosure != "proactive":
        return None
    return SearchDocument(plugin=NAME, kind="record", id=record.id, tenant_id=record.tenant_id, title=record.title,
                          body=" ".join(filter(None, [record.summary, plain_text(record.body)])),
                          url=url_path_for("catalog.record", tenant=record.tenant, record_id=record.id),
                          published_at=record.published_at, code=" ".join(filter(None, [record.doc_no, record.index_no])),
                          extra=" ".join(filter(None, [record.issuing_body, record.item.name if record.item else ""])),
                          badge=BADGES.get(record.validity, ""), expires_on=record.expiry_date)


@hookimpl
def search_sources():
    from plugins.catalog.models import Record
    from plugins.catalog.models import CatalogItem
    # The item's name is indexed with its records: renaming the item re-indexes them.
    return [SearchSource(plugin=NAME, kind="record", label="政府信息", model=Record, document=record_document,
                         candidates=lambda: select(Record).where(Record.status == "published"),
                         follows=(SearchFollow(CatalogItem, watch=("name",), children=lambda item: db.session.scalars(
                             select(Record).where(Record.item_id == item.id, Record.status == "published")).all()),))]


@hookimpl
def lookup_documents(tenant, query, refs):
    """Published, public records of `tenant` for reuse elsewhere (a gazette article prints one)."""
    from sqlalchemy import or_

    from plugins.catalog.models import Record
    from plugins.catalog.services import public_records
    stmt = public_records().where(Record.tenant_id == tenant.id)
    if refs is not None:
        ids = [int(m.group(1)) for m in (re.fullmatch(rf"{NAME}:record:([1-9][0-9]{{0,17}})", str(ref)) for ref in refs)
               if m]
        if not ids:
            return []
        stmt = stmt.where(Record.id.in_(ids))
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Record.title.like(like), Record.doc_no.like(like))).limit(20)
    records = db.session.scalars(stmt.order_by(Record.published_at.desc())).all()
    return [SharedDocument(ref=f"{NAME}:record:{r.id}", plugin=NAME, title=r.title,
                           url=url_path_for("catalog.record", tenant=r.tenant, record_id=r.id), doc_no=r.doc_no,
                           issuing_body=r.issuing_body, written_date=r.written_date, effective_date=r.effective_date,
                           validity=r.current_validity(), validity_date=r.validity_date or r.expiry_date,
                           body_html=r.body, attachment_ids=tuple(link.attachment_id for link in r.attachment_links))
            for r in records]


@hookimpl
def demo_content():
    from plugins.catalog.demo import load_demo
    return load_demo()


@hookimpl
def cli_commands():
    from plugins.catalog.cli import catalog
    return [catalog]
