"""What runs around every request: the tenant taken from the URL and its scope, the plugin and host
checks, error pages, notifications after commit, the template context. Registered by `create_app`."""
from __future__ import annotations

import re

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from core.accounts import has_permission
from core.db import db, reset_immediate_writes, set_immediate_writes
from core.errors import DomainError
from core.plugins import PluginRegistry, collect
from core.tenants import enter_scope, exit_scope, resolve_tenant_path, scope_for, tenant_by_slug
from core.web import csrf, column_type, current_column, display_mode, error_response, host_root, is_api_request, portal_nav, site_footer


def register_plugin_blueprints(app: Flask, registry: PluginRegistry) -> None:
    for routes in collect(registry.hook.routes):
        info = registry.infos.get(routes.plugin)
        if info is None:
            raise RuntimeError(f"routes() names an unknown plugin: {routes.plugin!r}")
        mounts = (
            (routes.public, f"/<tenant:tenant_path>/{info.url_prefix}"),
            (routes.admin, f"/admin/<tenant_slug>/{info.url_prefix}"),
            (routes.api, f"/api/v1/tenants/<tenant_slug>/{info.url_prefix}"),
        )
        for blueprint, prefix in mounts:
            if blueprint is None:
                continue
            app.register_blueprint(blueprint, url_prefix=prefix)
            registry.blueprint_plugins[blueprint.name] = info.name
        if routes.api is not None:
            csrf.exempt(routes.api)


def resolve_tenant(endpoint, values) -> None:
    """Pull the tenant out of the URL, once per request, and scope the session to it."""
    # Request state starts empty even when a test shares one app context across requests.
    for key in ("tenant", "host_root", "api_user", "csrf_token"):
        g.pop(key, None)
    # Before the first query of the request: a request that changes data takes SQLite's write
    # lock when its transaction begins (see core.db.immediate_writes).
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and "immediate_token" not in g:
        g.immediate_token = set_immediate_writes(True)
    if not values:
        return
    if "tenant_path" in values:
        tenant = resolve_tenant_path(values.pop("tenant_path"))
    elif "tenant_slug" in values:
        tenant = tenant_by_slug(values.pop("tenant_slug"))
    else:
        return
    if tenant is None:
        raise NotFound()
    g.tenant = tenant
    g.tenant_scope_token = enter_scope(scope_for(tenant, reason="request"))


def check_tenant_access() -> None:
    tenant = g.get("tenant")
    if tenant is None:
        return
    registry = current_app.extensions["cms"]
    # The outermost blueprint decides, so a plugin's nested blueprints are switched off with it.
    plugin = registry.blueprint_plugins.get(request.blueprints[-1]) if request.blueprints else None
    if plugin is not None and not registry.is_enabled(tenant, plugin):
        raise NotFound()
    if not is_api_request() and not request.path.startswith("/admin/"):
        root = host_root()
        if root is not None and not tenant.is_in_subtree_of(root):
            raise NotFound()


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def json_depth(data: bytes) -> int:
    """How deep arrays and objects nest in a JSON text, without parsing it (strings skipped)."""
    depth = deepest = 0
    for c in _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        if c in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def bounded_json() -> None:
    """A JSON body is checked before anything parses it: too large, nested too deep (the parser
    would recurse until it fails) or not JSON at all answers 400 with {"error": ...}."""
    if not request.is_json or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    limit = int(current_app.config["JSON_MAX_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        raise BadRequest(f"请求体过大（JSON 不超过 {limit // 1024} KB）。")
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise BadRequest(f"请求体过大（JSON 不超过 {limit // 1024} KB）。")
    if json_depth(data) > int(current_app.config["JSON_MAX_DEPTH"]):
        raise BadRequest(f"请求体嵌套过深（不超过 {current_app.config['JSON_MAX_DEPTH']} 层）。")
    # Parsed here once; Werkzeug keeps the result for the view's own get_json.
    if request.get_json(silent=True) is None and data.strip() != b"null":
        raise BadRequest("请求体不是有效的 JSON。")


def refuse_nul_bytes() -> None:
    """No text column accepts NUL on PostgreSQL: refuse it up front, the same on every database."""
    values = list(request.args.values())
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values()) + [f.filename or "" for f in request.files.values()]
    if any("\x00" in v for v in values):
        raise BadRequest("请求中含有不允许的控制字符。")


def leave_scope(exc=None) -> None:
    token = g.pop("tenant_scope_token", None)
    if token is not None:
        exit_scope(token)
    immediate = g.pop("immediate_token", None)
    if immediate is not None:
        reset_immediate_writes(immediate)


def deliver_notifications(response):
    """Messages of transactions that committed during the request go out now, after the work."""
    from core.notify import deliver_committed
    deliver_committed()
    return response


def http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    message = None
    if exc.code in (400, 429) and exc.description and not exc.description.startswith(("The browser", "Too many")):
        message = exc.description
    response = error_response(exc.code, message)
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def domain_error(exc: DomainError):
    db.session.rollback()
    refused = getattr(exc, "refused", None)
    if refused is not None and has_request_context():
        # A refused authorisation is logged in a transaction of its own: the request's is gone.
        from core import audit
        permission, tenant = refused
        try:
            audit.record("access.denied", tenant=tenant.id,
                         summary=f"拒绝访问：{request.method} {request.path[:300]}（需要 {permission}）")
            db.session.commit()
        except Exception:  # noqa: BLE001 - the refusal is still answered when its log entry cannot be written
            db.session.rollback()
            current_app.logger.exception("could not audit a refused authorisation")
    return error_response(exc.status, exc.message)


def integrity_error(exc: IntegrityError):
    """Two people saving the same thing at once: the loser is told, nothing is half-written."""
    db.session.rollback()
    return error_response(409, "数据已存在或已被他人修改，请刷新页面后重试。")


def csrf_error(exc: CSRFError):
    return error_response(400, "页面已过期或缺少安全校验信息，请刷新页面后重新提交。")


def template_context() -> dict:
    return {
        "site_name": current_app.config["SITE_NAME"],
        "current_tenant": g.get("tenant"),
        "portal_nav": portal_nav,
        "can": lambda permission, tenant: has_permission(current_user, permission, tenant),
        "Markup": Markup,
        "display_mode": display_mode(),
        "current_column": current_column,
        "column_type": column_type,
        "site_footer": site_footer,
    }
