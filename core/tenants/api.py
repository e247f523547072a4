"""The tenant tree in the JSON API."""
from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from core.api import ApiError, bp, operation
from core.db import db
from core.tenants import STATUS_ACTIVE, Tenant


class TenantOut(BaseModel):
    model_config = ConfigDict(title="Tenant")
    slug: str
    name: str
    kind: str
    parent: str | None
    status: str
    unit_code: str | None
    url: str


class TenantDetailOut(TenantOut):
    model_config = ConfigDict(title="TenantDetail")
    intro: str
    contact: dict[str, str]
    children: list[str]
    ancestors: list[str]
    plugins: list[str]


def tenant_out(t: Tenant, parent_slug: str | None, url_path: str) -> dict:
    return TenantOut(slug=t.slug, name=t.name, kind=t.kind, parent=parent_slug, status=t.status,
                     unit_code=t.unit_code, url=url_for("portal.home", tenant_path=url_path, _external=True)).model_dump()


@bp.get("/tenants")
@operation("租户树：全部区县、乡镇（街道）和村（社区）", response=TenantOut, response_list=True,
           query={"status": {"type": "string", "enum": ["active", "archived", "all"], "default": "active",
                             "description": "按状态筛选"}})
def list_tenants():
    """Every tenant in tree order, with its parent's slug, so a client can rebuild the tree."""
    status = request.args.get("status", STATUS_ACTIVE)
    if status not in {"active", "archived", "all"}:
        raise ApiError("status 只能是 active、archived 或 all。", 400)
    everyone = db.session.scalars(select(Tenant).order_by(Tenant.path)).all()
    # Tree order puts every parent before its children: paths build up in one pass, no query per tenant.
    url_paths: dict[int, str] = {}
    slugs: dict[int, str] = {}
    for t in everyone:
        slugs[t.id] = t.slug
        url_paths[t.id] = f"{url_paths[t.parent_id]}/{t.slug}" if t.parent_id else t.slug
    return jsonify([tenant_out(t, slugs.get(t.parent_id), url_paths[t.id])
                    for t in everyone if status == "all" or t.status == status])


@bp.get("/tenants/<tenant_slug>")
@operation("一个租户的详情", response=TenantDetailOut, errors=(404,))
def get_tenant():
    t: Tenant = g.tenant
    registry = current_app.extensions["cms"]
    data = tenant_out(t, t.parent.slug if t.parent else None, t.url_path)
    data.update(intro=t.intro, contact=t.contact or {}, children=[c.slug for c in t.active_children()],
                ancestors=[a.slug for a in t.ancestors()],
                plugins=[p for p in (t.enabled_plugins or []) if registry.serves(p, t.kind)])
    return jsonify(TenantDetailOut(**data).model_dump())
