"""Public pages of a tenant's disclosure column: the catalog, item pages, records, the feed."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, make_response, render_template, request, url_for
from sqlalchemy import select

from core.plugin_api import collect, db, get_or_404, int_arg, page_args, paginate
from plugins.catalog import services, standard
from plugins.catalog.models import VALIDITY_LABELS, CatalogItem, Record

bp = Blueprint("catalog", __name__, template_folder="templates")


@bp.app_template_global("catalog_column")
def column_label(tenant) -> str:
    """The column's name as people say it: 政务公开目录 for governments (the 基层政务公开标准目录 and
    what is published under it; 政府信息公开 is the 专栏 of the disclosure plugin), 村务公开 / 居务公开
    below."""
    if tenant.kind != "village":
        return "政务公开目录"
    return "村务公开" if tenant.name.endswith("村") else "居务公开"


@bp.get("/")
def index():
    tenant = g.tenant
    rows = services.tree(tenant, applicable_only=True)
    counts = services.public_record_counts(tenant)
    latest = db.session.scalars(services.filtered_public_records().limit(10)).all()
    return render_template("catalog/index.html", tenant=tenant, rows=rows, counts=counts, latest=latest,
                           children=tenant.active_children(), kinds=standard.DOMAIN_KINDS)


# --- the parts of the 政府信息公开专栏 the catalog holds (disclosure_column_parts) --------------------

@bp.get("/rules/")
def rules():
    """政府信息公开制度: the tenant's published records under its 政府信息公开制度 item(s)."""
    if g.tenant.kind == "village":
        abort(404)
    ids = [i.id for i in services.rules_items(g.tenant)]
    page = paginate(services.filtered_public_records().where(Record.item_id.in_(ids or [0])), *page_args())
    return render_template("catalog/rules.html", tenant=g.tenant, page=page, item_ids=ids)


@bp.get("/statutory/")
def statutory():
    """法定主动公开内容: the statutory domains of the tenant (条例 第二十条, and 第二十一条 for its kind)
    with their items and latest records."""
    if g.tenant.kind == "village":
        abort(404)
    rows = services.statutory_tree(g.tenant)
    leaves = [leaf.id for _, items in rows for item, kids in items for leaf in (kids or [item])]
    return render_template("catalog/statutory.html", tenant=g.tenant, rows=rows,
                           latest=services.item_latest_records(g.tenant, leaves),
                           counts=services.public_record_counts(g.tenant))


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    item = get_or_404(CatalogItem, item_id)
    if item.not_applicable or services.tenant_level(g.tenant) not in (item.levels or []):
        abort(404)
    year = int_arg("year", 1900, 2200)
    validity = request.args.get("validity") or None
    ids = [item.id] + [c.id for c in item.children]
    stmt = services.filtered_public_records(year=year, validity=validity).where(Record.item_id.in_(ids))
    page = paginate(stmt, *page_args())
    on_request = "依申请" in (item.methods or []) and "主动" not in (item.methods or [])
    channels = collect(current_app.extensions["cms"].hook.application_channels, tenant=g.tenant) if on_request else []
    return render_template("catalog/item.html", tenant=g.tenant, item=item, page=page, year=year, validity=validity,
                           years=services.public_years(g.tenant), domain=services.domains_for(g.tenant).get(item.domain_code),
                           validity_labels=VALIDITY_LABELS, on_request=on_request, channels=channels)


@bp.get("/records/")
def records():
    domain = request.args.get("domain") or None
    item_id = int_arg("item")
    year = int_arg("year", 1900, 2200)
    validity = request.args.get("validity") or None
    q = (request.args.get("q") or "").strip()[:100] or None
    stmt = services.filtered_public_records(domain=domain, item_id=item_id, year=year, validity=validity, q=q)
    page = paginate(stmt, *page_args())
    domains = [d for d, _ in services.tree(g.tenant, applicable_only=True)]
    return render_template("catalog/records.html", tenant=g.tenant, page=page, domains=domains, domain=domain,
                           item_id=item_id, year=year, validity=validity, q=q, years=services.public_years(g.tenant),
                           validity_labels=VALIDITY_LABELS, item_names=_item_names(page.items))


def _item_names(records) -> dict[int, str]:
    ids = {r.item_id for r in records}
    if not ids:
        return {}
    return dict(db.session.execute(select(CatalogItem.id, CatalogItem.name).where(CatalogItem.id.in_(ids))).all())


@bp.get("/records/<int:record_id>")
def record(record_id: int):
    record = get_or_404(Record, record_id)
    if not record.is_public:
        abort(404)  # drafts, 依申请公开 and 不予公开 records are never shown
    superseded_by = record.superseded_by if record.superseded_by and record.superseded_by.is_public else None
    # Where else the same document appears (the gazette issue that printed it), through a hook.
    hook = current_app.extensions["cms"].hook_for(g.tenant, "document_references")
    appears_in = collect(hook, tenant=g.tenant, ref=f"catalog:record:{record.id}")
    # 政策解读, both ways: a document lists its published 解读, a 解读 its documents (of the county only).
    interpretations = services.interpretations_of(g.tenant, [services.record_ref(record.id)]).get(
        services.record_ref(record.id), [])
    documents = services.documents_of(g.tenant, [record.id]).get(record.id, []) if record.interp_form else []
    return render_template("catalog/record.html", tenant=g.tenant, record=record, item=record.item,
                           domain=services.domains_for(g.tenant).get(record.item.domain_code), superseded_by=superseded_by,
                           appears_in=appears_in, interpretations=interpretations, documents=documents)


@bp.get("/feed.atom")
def feed():
    entries = db.session.scalars(services.filtered_public_records().limit(50)).all()
    response = make_response(render_template("catalog/feed.atom.xml", tenant=g.tenant, entries=entries,
                                             self_url=url_for("catalog.feed", _external=True),
                                             home_url=url_for("catalog.index", _external=True)))
    response.mimetype = "application/atom+xml"
    return response
