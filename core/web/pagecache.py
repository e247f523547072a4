"""HTTP caching of anonymous public pages: validators and Cache-Control for browsers and the
reverse proxy, and a server-side page cache shared by the workers.

Every tenant has a `content_version`. A flush that changes what the public may see of a tenant
(any tenant-owned row, less the models and attributes that declare themselves irrelevant, such
as registrations or the places taken) increments the version of that tenant and of its ancestors,
whose aggregate pages list it, in the same transaction. A cached page is keyed by host, path,
query, display mode, the tenant and its version, so a publication changes the key: it shows at
once, on every worker, and nothing needs to be deleted (old entries expire).

A page is stored and marked `public` only when it is safe for anyone: a GET of a tenant's portal
page by an anonymous visitor, answered 200, without a Set-Cookie and without a CSRF token in it
(a form's token is the visitor's own). Everything else is `private, no-cache`, and admin pages
and logged-in visitors' pages are `no-store` (core.web).

Models opt out with class attributes:
    __page_cache_ignore__ = "*"               changes never matter (registrations)
    __page_cache_ignore__ = {"taken"}         changes to these attributes do not matter
    __page_cache_new__ = False                a new row does not matter (a pending comment)
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from cachelib import NullCache, RedisCache, SimpleCache
from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlalchemy import bindparam, event, inspect, select, text

from core.clock import utcnow
from core.db import TenantSession
from core.tenants import Tenant, TenantScoped

ALWAYS_IGNORED = frozenset({"updated_at"})
CACHEABLE_TYPES = ("text/html", "application/xml", "application/atom+xml", "text/plain", "text/calendar")
KEPT_HEADERS = ("Content-Type", "Cache-Control", "ETag", "Last-Modified", "Vary", "Content-Disposition",
                "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy")


def init_app(app: Flask) -> None:
    """PAGE_CACHE: "redis" (shared by workers; the default with REDIS_URL), "simple" (in this
    process), or "off". PAGE_CACHE_SECONDS: how long a page may be served from a cache."""
    kind = app.config.get("PAGE_CACHE") or ("redis" if app.config.get("REDIS_URL") else "simple")
    seconds = int(app.config.get("PAGE_CACHE_SECONDS", 60))
    if kind == "redis":
        import redis
        store = RedisCache(redis.from_url(app.config["REDIS_URL"]), default_timeout=seconds,
                           key_prefix=app.config.get("PAGE_CACHE_PREFIX") or app.config["REDIS_KEY_PREFIX"] + "page:")
    elif kind == "simple":
        store = SimpleCache(threshold=2000, default_timeout=seconds)
    else:
        store = NullCache()
    app.extensions["cms_page_cache"] = store
    app.before_request(_serve_cached)
    app.after_request(_cache_headers)


# --- invalidation: content versions ---------------------------------------------------------------

def _matters(obj, created: bool) -> bool:
    ignore = getattr(type(obj), "__page_cache_ignore__", ())
    if ignore == "*":
        return False
    if created:
        return getattr(type(obj), "__page_cache_new__", True)
    state = inspect(obj)
    skip = ALWAYS_IGNORED | set(ignore)
    return any(state.attrs[c.key].history.has_changes() for c in state.mapper.column_attrs if c.key not in skip)


BUMPED = "page_cache_bumped"   # tenant ids whose version this transaction has raised


@event.listens_for(TenantSession, "after_transaction_end")
def _forget_bumped(session, transaction) -> None:
    """A transaction's end, or a savepoint's (whose rollback may have undone a raise): raise again
    next time."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(BUMPED, None)


@event.listens_for(TenantSession, "after_soft_rollback")
def _forget_bumped_on_rollback(session, previous_transaction) -> None:
    session.info.pop(BUMPED, None)


@event.listens_for(TenantSession, "after_flush")
def _bump_versions(session, flush_context) -> None:
    touched: set[int] = set()
    for obj in session.deleted:
        if isinstance(obj, TenantScoped) and getattr(type(obj), "__page_cache_ignore__", ()) != "*":
            touched.add(obj.tenant_id)
    for created, objects in ((True, session.new), (False, session.dirty)):
        for obj in objects:
            if obj in session.deleted:
                continue
            if isinstance(obj, TenantScoped) and obj.tenant_id is not None and _matters(obj, created):
                touched.add(obj.tenant_id)
            elif isinstance(obj, Tenant) and obj.id is not None and _matters(obj, created):
                touched.add(obj.id)           # its name, intro, plugins; its parent lists it
                if obj.parent_id:
                    touched.add(obj.parent_id)
    # Once per tenant and transaction: what a later flush changes becomes visible with the same
    # commit, under the same new version (a demo load's 1,945 flushes cost 1.5 s of version updates).
    bumped = session.info.setdefault(BUMPED, set())
    touched -= bumped
    if not touched:
        return
    conn = session.connection()
    tenants = Tenant.__table__
    rows = conn.execute(select(tenants.c.id, tenants.c.path).where(tenants.c.id.in_(touched))).all()
    bumped |= {tenant_id for tenant_id, path in rows if path}     # a new tenant gets its path in a later flush
    ids = sorted({int(p) for _, path in rows for p in path.strip("/").split("/") if p})
    if not ids:
        return
    # Core, not the ORM: the in-memory Tenant objects keep their loaded version (a key is never
    # built after a write in the same request), and no flush starts inside this one.
    conn.execute(text("UPDATE tenants SET content_version = content_version + 1, content_changed_at = :now "
                      "WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
                 {"ids": ids, "now": _naive(utcnow())})


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


# --- serving --------------------------------------------------------------------------------------

def _anonymous() -> bool:
    return not (current_user and current_user.is_authenticated) and "api_user" not in g


def _key() -> str | None:
    """The cache key of this request, or None when it must not come from the cache."""
    tenant = g.get("tenant")
    if request.method not in ("GET", "HEAD") or tenant is None or request.path.startswith(("/admin/", "/api/")):
        return None
    if not _anonymous():
        return None
    from core.web import display_mode
    raw = "|".join([request.host.lower(), request.full_path, display_mode(), str(tenant.id),
                    str(tenant.content_version or 0)])
    return hashlib.sha256(raw.encode()).hexdigest()


def _serve_cached():
    key = _key()
    g.page_cache_key = key
    if key is None or request.method != "GET" and request.method != "HEAD":
        return None
    stored = current_app.extensions["cms_page_cache"].get(key)
    if stored is None:
        return None
    status, headers, body = stored
    response = current_app.response_class(body, status=status, headers=headers)
    response.headers["X-Cache"] = "HIT"
    g.page_cache_hit = True
    return response.make_conditional(request)


def _cacheable(response) -> bool:
    return (g.get("page_cache_key") is not None and response.status_code == 200
            and response.mimetype in CACHEABLE_TYPES and "Set-Cookie" not in response.headers
            and not response.direct_passthrough and not response.is_streamed
            and b'name="csrf_token"' not in response.get_data()
            and "no-store" not in (response.headers.get("Cache-Control") or ""))


def _cache_headers(response):
    if g.pop("page_cache_hit", False):
        return response
    tenant = g.get("tenant")
    if tenant is None or request.path.startswith(("/admin/", "/api/")) or not _anonymous():
        return response
    if response.status_code != 200 or request.method != "GET":
        return response
    if not _cacheable(response):
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-cache"
        return response
    seconds = int(current_app.config.get("PAGE_CACHE_SECONDS", 60))
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    if tenant.content_changed_at is not None:
        response.last_modified = tenant.content_changed_at
    response.add_etag()
    response.headers["X-Cache"] = "MISS"
    kept = [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS]
    current_app.extensions["cms_page_cache"].set(g.page_cache_key, (200, kept, response.get_data()))
    return response.make_conditional(request)
