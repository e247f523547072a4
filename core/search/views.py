"""Site search on the portal: one box over every published document of a tenant and its subtree."""
from __future__ import annotations

from flask import current_app, g, render_template, request
from sqlalchemy import select

from core.db import db
from core.pagination import page_args
from core.search import FACET_LIMIT, MAX_QUERY_CHARS, RANK_LIMIT, SiteQuery, highlight, site_search
from core.tenants import Tenant, across_tenants
from core.web.portal import bp


@bp.get("/<tenant:tenant_path>/search")
def search():
    """Site search over every plugin's public documents: this tenant and the ones below it, or the
    whole district (county) on request."""
    tenant = g.tenant
    registry = current_app.extensions["cms_search"]
    query = SiteQuery.from_args(request.args, {s.key for s in registry.all})
    too_long = len(" ".join((request.args.get("q") or "").split())) > MAX_QUERY_CHARS
    base = tenant.root if query.whole else tenant
    # The subtree in one statement, as narrow rows (a district has hundreds of units): what the
    # search needs of each is its id, name, kind and plugins.
    tenants = db.session.execute(select(Tenant.id, Tenant.name, Tenant.kind, Tenant.enabled_plugins)
                                 .where(Tenant.path.startswith(base.path)).order_by(Tenant.path)).all()
    ids = [t.id for t in tenants]
    if query.tenant_id not in ids:
        query.tenant_id = None
    results = None
    if query.q or query.type or query.year or query.tenant_id:
        page, per_page = page_args()
        with across_tenants(ids, reason="site search"):
            results = site_search(query, tenants, page=page, per_page=per_page, scope=base.id)
    return render_template("portal/search.html", tenant=tenant, query=query, results=results, base=base,
                           too_long=too_long, max_chars=MAX_QUERY_CHARS, facet_limit=f"{FACET_LIMIT:,}", rank_limit=f"{RANK_LIMIT:,}",
                           tenant_names={t.id: t.name for t in tenants}, highlight=highlight)
