"""The public's pages: the published decision lists, a list with its change log and its year's
completion, an item followed through its stages, the Atom feed. Drafts are never shown: 404."""
from __future__ import annotations

from flask import abort, Blueprint, g, make_response, render_template, url_for
from sqlalchemy import select

from core.plugin_api import china_today, db, get_or_404, HomeEntry, HomeSection
from plugins.decisions import services
from plugins.decisions.models import DecisionItem, DecisionList, PROCEDURES

bp = Blueprint("decisions", __name__, template_folder="templates")


def public_list(list_id: int) -> DecisionList:
    decision_list = get_or_404(DecisionList, list_id)
    if not decision_list.is_public:
        abort(404)
    return decision_list


def public_item(decision_id: int) -> DecisionItem:
    item = get_or_404(DecisionItem, decision_id)
    if not item.decision_list.is_public:
        abort(404)
    return item


def stage_view(item: DecisionItem) -> list[dict]:
    """The stages the item goes through, in order, each with its records and their documents."""
    tenant = item.decision_list.tenant
    out = []
    for kind in item.required_stages():
        records = item.stages_of(kind.key)
        out.append({"kind": kind, "records": [{"stage": s, "document": services.resolve(tenant, s.ref) if s.ref else None}
                                              for s in records]})
    return out


@bp.get("/")
def index():
    lists = services.published_lists(g.tenant)
    return render_template("decisions/index.html", tenant=g.tenant, lists=lists, current=lists[0] if lists else None,
                           today=china_today())


@bp.get("/lists/<int:list_id>")
def decision_list(list_id: int):
    row = public_list(list_id)
    return render_template("decisions/list.html", tenant=g.tenant, lst=row, today=china_today(),
                           counts=services.completion_counts(row), procedures=PROCEDURES)


@bp.get("/items/<int:decision_id>")
def item(decision_id: int):
    row = public_item(decision_id)
    return render_template("decisions/item.html", tenant=g.tenant, item=row, lst=row.decision_list,
                           stages=stage_view(row), today=china_today(),
                           changes=[c for c in row.decision_list.changes if c.item_id == row.id])


@bp.get("/feed.atom")
def feed():
    """The published lists and their items, the latest changed first."""
    lists = services.published_lists(g.tenant)
    items = db.session.scalars(select(DecisionItem).join(DecisionList).where(
        DecisionList.tenant_id == g.tenant.id, DecisionList.status == "published")
        .order_by(DecisionItem.updated_at.desc()).limit(50)).all()
    entries = sorted([("list", row) for row in lists] + [("item", row) for row in items],
                     key=lambda e: e[1].updated_at, reverse=True)[:60]
    response = make_response(render_template("decisions/feed.atom.xml", tenant=g.tenant, entries=entries,
                                             self_url=url_for("decisions.feed", _external=True),
                                             home_url=url_for("decisions.index", _external=True)))
    response.mimetype = "application/atom+xml"
    return response


def home_section(tenant) -> list[HomeSection]:
    """The portal home: this year's (or the latest) published list's items still on it."""
    if tenant.kind not in services.TENANT_KINDS:
        return []
    latest = db.session.scalar(select(DecisionList).where(
        DecisionList.tenant_id == tenant.id, DecisionList.status == "published").order_by(DecisionList.year.desc()).limit(1))
    if latest is None:
        return []
    entries = tuple(HomeEntry(i.name, url_for("decisions.item", tenant=tenant, decision_id=i.id), i.due_on,
                              f"{i.current_stage_label} · {i.due_on.isoformat()} 前完成")
                    for i in latest.items if i.status == "active")[:5]
    return [HomeSection("decisions", f"{latest.year}年重大行政决策事项", entries,
                        url_for("decisions.decision_list", tenant=tenant, list_id=latest.id), order=25)]
