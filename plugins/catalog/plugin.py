"""Hook implementations of the catalog plugin: the standard catalog, records, supervision."""
from __future__ import annotations

import re
from pathlib import Path

from flask import url_for
from sqlalchemy import func, select

from core.plugin_api import (AssessmentComponent, across_tenants, DashboardWidget, db, has_permission, hookimpl, MenuEntry,
                            NavItem, Permission, plain_text, PluginInfo, PluginRoutes, PolicyDocument, SearchDocument,
                            SearchFollow, SearchSource, SharedDocument, url_path_for)

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
    """A published, proactively disclosed record as site search shows it; None otherwise. A 解读 is
    found by its documents' titles and 文号 too (badge 图解, 问答, …), a document by its 解读's titles."""
    from plugins.catalog.models import InterpretationLink, Record
    if record.status != "published" or record.disclosure != "proactive":
        return None
    # Read in the current scope only (this runs inside the ORM's flush, where no scope may be opened): a
    # 解读's documents as linked (title, 文号), a document's 解读 of the same unit.
    related = []
    if record.interp_form:
        related = ["政策解读"] + [f"{title} {doc_no}" for title, doc_no in db.session.execute(
            select(InterpretationLink.title, InterpretationLink.doc_no).where(
                InterpretationLink.interpretation_id == record.id).order_by(InterpretationLink.position))]
    elif record.wants_interpretation:
        related = [f"解读 {title}" for title in db.session.scalars(
            select(Record.title).join(InterpretationLink, InterpretationLink.interpretation_id == Record.id).where(
                InterpretationLink.record_id == record.id, Record.status == "published"))]
    badge = BADGES.get(record.validity, "") or (f"解读·{record.interp_form_label}" if record.interp_form else "")
    return SearchDocument(plugin=NAME, kind="record", id=record.id, tenant_id=record.tenant_id, title=record.title,
                          body=" ".join(filter(None, [record.summary, plain_text(record.body)])),
                          url=url_path_for("catalog.record", tenant=record.tenant, record_id=record.id),
                          published_at=record.published_at, code=" ".join(filter(None, [record.doc_no, record.index_no])),
                          extra=" ".join(filter(None, [record.issuing_body, record.item.name if record.item else "",
                                                       *related])),
                          badge=badge, expires_on=record.expiry_date)


def _interpretation_documents(interpretation):
    """A 解读 published or withdrawn re-indexes the catalog documents it interprets (their 解读 line)."""
    from plugins.catalog.models import InterpretationLink, Record
    if not interpretation.interp_form:
        return []
    # In the current scope (inside the ORM's flush): the documents of the same unit.
    return list(db.session.scalars(select(Record).join(InterpretationLink, InterpretationLink.record_id == Record.id).where(
        InterpretationLink.interpretation_id == interpretation.id, Record.status == "published")))


@hookimpl
def search_sources():
    from plugins.catalog.models import Record
    from plugins.catalog.models import CatalogItem, InterpretationLink
    # The item's name is indexed with its records: renaming the item re-indexes them.
    return [SearchSource(plugin=NAME, kind="record", label="政府信息", model=Record, document=record_document,
                         candidates=lambda: select(Record).where(Record.status == "published"),
                         follows=(SearchFollow(CatalogItem, watch=("name",), children=lambda item: db.session.scalars(
                             select(Record).where(Record.item_id == item.id, Record.status == "published")).all()),
                                  SearchFollow(Record, watch=("status",), children=_interpretation_documents),
                                  SearchFollow(InterpretationLink, children=lambda link: [link.interpretation]),))]


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
def document_references(tenant, ref):
    """The published 解读 of a document another plugin shows (a gazette article: "gazette:article:5"),
    of the county's tree only: its page lists them."""
    from plugins.catalog.services import interpretations_of
    if str(ref).startswith(f"{NAME}:"):
        return []       # the catalog's own record pages list their 解读 themselves
    return [NavItem(plugin=NAME, title=f"政策解读（{d.form}）：{d.title}", url=d.url, order=20)
            for d in interpretations_of(tenant, [str(ref)]).get(str(ref), [])]


@hookimpl
def assessment_components(tenants, year):
    """年考核's 政策解读: per unit, the share of its policies of the year whose 解读 came within the limit."""
    from plugins.catalog.services import interpretation_ratios
    return AssessmentComponent("interpretation", "政策解读按时发布率", interpretation_ratios(list(tenants), year))


POLICY_DOMAIN = "F01"    # 规章规范性文件 (行政规范性文件) of the statutory standard


@hookimpl
def policy_documents(tenant_ids):
    """Published, public policy documents of these units for the county's 政策文件库: 规范性文件, records
    under F01 and those marked as needing a 解读; with their validity, what replaced them, their
    published 解读 and the domain as topic. A query per table, whatever their number."""
    from sqlalchemy import or_

    from core.plugin_api import Tenant
    from plugins.catalog.models import CatalogItem, Record
    from plugins.catalog.services import domains_for, interpretations_of, record_ref
    ids = list(tenant_ids or [])
    if not ids:
        return []
    with across_tenants(ids, reason="政策文件库：各单位的政策文件"):
        rows = db.session.execute(select(Record, CatalogItem.domain_code).join(CatalogItem, CatalogItem.id == Record.item_id)
                                  .where(Record.tenant_id.in_(ids), Record.status == "published",
                                         Record.disclosure == "proactive", Record.interp_form == "",
                                         or_(Record.doc_type == "normative", Record.needs_interpretation.is_(True),
                                             CatalogItem.domain_code == POLICY_DOMAIN))
                                  .order_by(Record.published_at.desc(), Record.id.desc())).all()
        replacements = {r.id: r for r in db.session.scalars(select(Record).where(
            Record.id.in_({rec.superseded_by_id for rec, _ in rows if rec.superseded_by_id} or {0}),
            Record.status == "published", Record.disclosure == "proactive"))}
    tenants = {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.id.in_(ids)))}
    if not rows:
        return []
    interpretations = interpretations_of(tenants[rows[0][0].tenant_id], [record_ref(rec.id) for rec, _ in rows])
    domains = domains_for(tenants[rows[0][0].tenant_id])
    out = []
    for rec, code in rows:
        tenant = tenants[rec.tenant_id]
        replaced = replacements.get(rec.superseded_by_id)
        out.append(PolicyDocument(
            ref=record_ref(rec.id), plugin=NAME, tenant_id=rec.tenant_id, title=rec.title,
            url=url_path_for("catalog.record", tenant=tenant, record_id=rec.id), doc_no=rec.doc_no,
            issuing_body=rec.issuing_body or tenant.name, doc_type="normative" if rec.doc_type == "normative" else "policy",
            written_date=rec.written_date, published_at=rec.published_at, validity=rec.current_validity(),
            validity_date=rec.validity_date or (rec.expiry_date if rec.current_validity() == "expired" else None),
            topic=domains[code].name if code in domains else "",
            replaced_by=(replaced.title, url_path_for("catalog.record", tenant=tenants.get(replaced.tenant_id) or tenant,
                                                       record_id=replaced.id)) if replaced else (),
            interpretations=tuple((d.title, d.url, d.form) for d in interpretations.get(record_ref(rec.id), []))))
    return out


@hookimpl
def demo_content():
    from plugins.catalog.demo import load_demo
    return load_demo()


@hookimpl
def cli_commands():
    from plugins.catalog.cli import catalog
    return [catalog]
