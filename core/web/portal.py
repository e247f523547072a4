"""The public portal shell: the county index, each tenant's home, the health check, the display
mode, sitemaps and robots.txt."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from core.clock import china_today
from core.db import db
from core.search import SearchEntry
from core.tenants import STATUS_ACTIVE, Tenant
from core.plugins import collect
from core.web import DISPLAY_COOKIE, host_root, portal_nav, safe_next
from core.workdays import coverage_warnings


bp = Blueprint("portal", __name__)


@bp.get("/")
def index():
    """The mapped district for this host, the only district, or the list of districts."""
    root = host_root()
    if root is not None:
        return redirect(url_for("portal.home", tenant=root))
    roots = db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None), Tenant.status == STATUS_ACTIVE)
                               .order_by(Tenant.sort_order, Tenant.id)).all()
    if len(roots) == 1:
        return redirect(url_for("portal.home", tenant=roots[0]))
    return render_template("portal/index.html", roots=roots)


@bp.get("/healthz")
def healthz():
    """For the load balancer and monitoring: the database answers, and Redis when configured. A year
    without holiday data is reported as a warning under "calendar"; it never makes the status an error."""
    checks, healthy = {}, True
    try:
        db.session.execute(select(1))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy, and is reported
        db.session.rollback()
        checks["database"], healthy = f"error: {type(exc).__name__}", False
    if healthy:
        try:
            warnings = coverage_warnings(china_today())
            checks["calendar"] = "warning: " + " ".join(w.message for w in warnings) if warnings else "ok"
        except Exception as exc:  # noqa: BLE001 - reported, but the site still serves (schema not migrated yet)
            db.session.rollback()
            checks["calendar"] = f"unknown: {type(exc).__name__}"
    if current_app.config.get("REDIS_URL"):
        try:
            import redis
            redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"], healthy = f"error: {type(exc).__name__}", False
    else:
        checks["redis"] = "not configured"
    response = jsonify(status="ok" if healthy else "error", **checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/display/<mode>")
def display(mode: str):
    """Switch the display mode (长者模式: extra-large text, high contrast) and go back to the page.
    A cookie for a year, no script needed; the same link switches back."""
    if mode not in ("elder", "standard"):
        abort(404)
    response = redirect(safe_next(request.args.get("next")) or url_for("portal.index"))
    if mode == "elder":
        response.set_cookie(DISPLAY_COOKIE, "elder", max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    else:
        response.delete_cookie(DISPLAY_COOKIE)
    return response


LATEST_ON_HOME = 8


def latest_information(tenant: Tenant, limit: int = LATEST_ON_HOME) -> list:
    """The tenant's most recently published public documents, whatever plugin holds them: what
    every plugin gave site search (its search_sources hook), newest first, one narrow query."""
    from core.search import sources
    registry = current_app.extensions["cms"]
    enabled = registry.enabled_names(tenant)
    labels = {s.key: s.label for s in sources().all}
    rows = db.session.execute(
        select(SearchEntry.title, SearchEntry.url, SearchEntry.published_at, SearchEntry.plugin, SearchEntry.kind,
               SearchEntry.badge)
        .where(SearchEntry.tenant_id == tenant.id, SearchEntry.plugin.in_(enabled),
               SearchEntry.published_at.is_not(None))
        .order_by(SearchEntry.published_at.desc(), SearchEntry.id.desc()).limit(limit)).all()
    return [{"title": r.title, "url": r.url, "published_at": r.published_at, "badge": r.badge,
             "label": labels.get(f"{r.plugin}.{r.kind}", "")} for r in rows]


@bp.get("/<tenant:tenant_path>/")
def home():
    tenant = g.tenant
    registry = current_app.extensions["cms"]
    # Also asked: a plugin on for the district that does not serve this kind of unit (the county's
    # gazette on a town's home).
    asked = set(registry.enabled_names(tenant)) | {n for n in registry.enabled_names(tenant.root)
                                                   if not registry.serves(n, tenant.kind)}
    sections = sorted((s for s in collect(registry.hook_for(tenant, "home_sections", only=asked), tenant=tenant)
                       if s.entries), key=lambda s: (s.order, s.title))
    return render_template("portal/home.html", tenant=tenant, children=tenant.active_children(),
                           latest=latest_information(tenant), sections=sections)


@bp.get("/<tenant:tenant_path>/sitemap")
def site_map():
    """网站地图: the columns of the tenant and of each unit directly below it, as a page people can
    read (each unit's own map lists the units below it)."""
    tenant = g.tenant
    units = [(tenant, portal_nav(tenant))] + [(child, portal_nav(child)) for child in tenant.active_children()]
    return render_template("portal/site_map.html", tenant=tenant, units=units)


def _xml(template: str, **context):
    response = make_response(render_template(template, **context))
    response.mimetype = "application/xml"
    return response


SITEMAP_LIMIT = 50_000   # URLs per sitemap file (sitemaps.org)


@bp.get("/sitemap.xml")
def sitemap_index():
    """The sitemaps of every active tenant (of this host's district when the host is bound to one)."""
    root = host_root()
    stmt = select(Tenant).where(Tenant.status == STATUS_ACTIVE).order_by(Tenant.path)
    if root is not None:
        stmt = stmt.where(Tenant.path.startswith(root.path))
    tenants = db.session.scalars(stmt).all()
    if root is None:  # districts with a host of their own are listed there, not here
        elsewhere = {t.id for t in tenants if t.parent_id is None and t.host}
        tenants = [t for t in tenants if not elsewhere & set(t.ancestor_ids + [t.id])]
    by_id = {t.id: t for t in tenants}
    for t in tenants:  # their URLs need their ancestors: known already, no query per tenant
        t.__dict__.setdefault("_ancestors", [by_id[i] for i in t.ancestor_ids if i in by_id])
    return _xml("portal/sitemap_index.xml", tenants=[t for t in tenants if len(t.__dict__["_ancestors"]) ==
                                                        len(t.ancestor_ids)])


@bp.get("/<tenant:tenant_path>/sitemap.xml")
def sitemap():
    """This tenant's home, columns, the homes of the tenants below it and its public documents."""
    tenant = g.tenant
    registry = current_app.extensions["cms"]
    enabled = set(registry.enabled_names(tenant))
    documents = db.session.execute(
        select(SearchEntry.url, SearchEntry.published_at).where(SearchEntry.tenant_id == tenant.id,
                                                                SearchEntry.plugin.in_(enabled))
        .order_by(SearchEntry.published_at.desc()).limit(SITEMAP_LIMIT)).all()
    return _xml("portal/sitemap.xml", tenant=tenant, children=tenant.active_children(),
                columns=portal_nav(tenant), documents=documents)


@bp.get("/robots.txt")
def robots():
    # Search results are endless combinations of filters: crawlers get the sitemaps instead.
    body = ("User-agent: *\nDisallow: /admin/\nDisallow: /api/\nDisallow: /*/search\n"
            f"Sitemap: {url_for('portal.sitemap_index', _external=True)}\n")
    return current_app.response_class(body, mimetype="text/plain")
