"""Hook implementations of the opinions plugin: consultations and feedback on adoption."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from core.plugin_api import (DashboardWidget, db, hookimpl, MenuEntry, Permission, plain_text, PluginInfo, PluginRoutes,
                            SearchDocument, SearchSource, SharedDocument, url_path_for)

NAME = "opinions"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="意见征集",
        description="草案公开征求意见与采纳情况反馈",
        tenant_kinds=("district", "town"),
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
        portal_menu=(MenuEntry("意见征集", "opinions.index", order=20),),
        admin_menu=(MenuEntry("意见征集", "opinions_admin.index", order=20, permission=Permission.CONTENT_VIEW),),
        column_type="互动交流",
        dashboard=(DashboardWidget("意见征集", "opinions/widget.html", dashboard, order=20),),
    )


@hookimpl
def routes():
    from plugins.opinions import admin, api, views
    return PluginRoutes(plugin=NAME, public=views.bp, admin=admin.bp, api=api.bp)


def dashboard(tenant) -> dict:
    """What the dashboard box (PluginInfo.dashboard) shows."""
    from plugins.opinions.models import Comment, Consultation
    from plugins.opinions.services import by_status
    return {"open_": db.session.scalars(by_status("open")).all(),
            "closed": db.session.scalars(by_status("closed")).all(),
            "pending": db.session.scalar(select(func.count()).select_from(Comment).where(Comment.status == "pending")) or 0,
            "drafts": db.session.scalar(select(func.count()).select_from(Consultation)
                                        .where(Consultation.announced_at.is_(None))) or 0}


def consultation_document(consultation) -> SearchDocument | None:
    """An announced consultation as site search shows it; None while it is a draft."""
    if consultation.announced_at is None:
        return None
    c = consultation
    return SearchDocument(plugin=NAME, kind="consultation", id=c.id, tenant_id=c.tenant_id, title=c.title,
                          body=" ".join(filter(None, [c.summary, plain_text(c.draft_html), plain_text(c.explanation_html)])),
                          url=url_path_for("opinions.consultation", tenant=c.tenant, consultation_id=c.id),
                          published_at=c.announced_at, extra=c.responsible_unit,
                          badge="已发布采纳情况" if c.feedback_published_at else "")


@hookimpl
def search_sources():
    from plugins.opinions.models import Consultation
    return [SearchSource(plugin=NAME, kind="consultation", label="意见征集", model=Consultation,
                         document=consultation_document,
                         candidates=lambda: select(Consultation).where(Consultation.announced_at.is_not(None)),
                         watch=("title", "summary", "draft_html", "explanation_html", "responsible_unit",
                                "announced_at", "feedback_published_at"))]


@hookimpl
def lookup_documents(tenant, query, refs):
    """Announced consultations of `tenant` (title contains `query`, or by ref "opinions:consultation:<id>"), for
    other plugins to point at: a 重大行政决策 item's 预公开 is usually one of them."""
    import re

    from plugins.opinions.models import Consultation
    stmt = select(Consultation).where(Consultation.tenant_id == tenant.id, Consultation.announced_at.is_not(None))
    if refs is not None:
        ids = [int(m.group(1)) for m in (re.fullmatch(rf"{NAME}:consultation:([1-9][0-9]{{0,17}})", str(ref)) for ref in refs)
               if m]
        if not ids:
            return []
        stmt = stmt.where(Consultation.id.in_(ids))
    if query:
        stmt = stmt.where(Consultation.title.like(f"%{query.strip()}%")).limit(20)
    return [SharedDocument(ref=f"{NAME}:consultation:{c.id}", plugin=NAME, title=c.title,
                           url=url_path_for("opinions.consultation", tenant=c.tenant, consultation_id=c.id),
                           issuing_body=c.responsible_unit, written_date=c.starts_on)
            for c in db.session.scalars(stmt.order_by(Consultation.announced_at.desc()))]


@hookimpl
def purge_personal_data(before):
    from plugins.opinions.services import purge_personal_data as purge
    erased = purge(before)
    return [f"意见征集：删除 {erased} 条意见的姓名和联系方式"] if erased else []


@hookimpl
def demo_content():
    from plugins.opinions.demo import load_demo
    return load_demo()


@hookimpl
def home_sections(tenant):
    """The consultations open today, those closing soonest first."""
    from flask import url_for

    from core.plugin_api import china_today, HomeEntry, HomeSection
    from plugins.opinions.models import Consultation
    if tenant.kind not in ("district", "town"):
        return []
    today = china_today()
    rows = db.session.execute(
        select(Consultation.id, Consultation.title, Consultation.starts_on, Consultation.ends_on)
        .where(Consultation.tenant_id == tenant.id, Consultation.announced_at.is_not(None),
               Consultation.feedback_published_at.is_(None), Consultation.starts_on <= today,
               Consultation.ends_on >= today)
        .order_by(Consultation.ends_on, Consultation.id).limit(5)).all()
    entries = tuple(HomeEntry(r.title, url_for("opinions.consultation", tenant=tenant, consultation_id=r.id),
                              r.starts_on, f"{r.ends_on.isoformat()} 截止") for r in rows)
    return [HomeSection("opinions", "正在征集意见", entries, url_for("opinions.index", tenant=tenant), order=20)]
