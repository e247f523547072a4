"""The request pipeline shared by every page: resolve the tenant once, scope the session to it,
check the plugin is enabled there, then hand over to the view. Also error pages and headers."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import (Flask, current_app, flash, g, has_request_context, jsonify, make_response, render_template,
                   request, session, url_for)
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.routing import BaseConverter

from core.accounts import User, has_permission
from core.db import db, reset_immediate_writes, set_immediate_writes
from core.errors import DomainError
from core.masking import mask_contact, mask_name
from core.plugins import PluginRegistry, collect
from core.security import security_headers
from core.sanitize import plain_text, text_to_html, text_with_links
from core.tenancy import Tenant, enter_scope, exit_scope, resolve_tenant_path, scope_for, tenant_by_slug
from core import clock
from core.clock import CHINA_TZ

login_manager = LoginManager()
csrf = CSRFProtect()

ERROR_MESSAGES = {
    400: "请求有误",
    401: "需要登录",
    403: "没有权限",
    404: "页面不存在",
    405: "不支持该请求方式",
    413: "上传的内容过大",
    429: "操作过于频繁，请稍后再试",
    500: "系统出错了，请稍后再试",
}


class TenantPathConverter(BaseConverter):
    """district[/town[/village]]: the tenant's position in the tree, matched across slashes."""

    # Never the platform's own top-level areas, so /api/... and /admin/... are not taken for tenants.
    regex = r"(?!(?:admin|api|static)(?:/|$))[a-z][a-z0-9-]*[a-z0-9](?:/[a-z][a-z0-9-]*[a-z0-9]){0,2}"
    part_isolating = False


@login_manager.user_loader
def _load_user(user_id: str):
    """The session's user, only while the account is active and the session's epoch is current."""
    ident, _, epoch = (user_id or "").partition(":")
    if not ident.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def _session_timeouts() -> None:
    """A logged-in session ends after ADMIN_IDLE_MINUTES without a request (15) and, whatever the
    activity, SESSION_ABSOLUTE_HOURS after the login (8)."""
    if "_user_id" not in session or is_api_request():
        return
    now = clock.timestamp()
    idle = float(current_app.config.get("ADMIN_IDLE_MINUTES", 15)) * 60
    absolute = float(current_app.config.get("SESSION_ABSOLUTE_HOURS", 8)) * 3600
    seen, login_at = float(session.get("seen_at", 0)), float(session.get("login_at", 0))
    if now - seen > idle or now - login_at > absolute:
        logout_user()
        session.clear()
        flash("长时间未操作，为了安全已自动退出，请重新登录。" if now - login_at <= absolute
              else "登录时间已超过上限，为了安全已自动退出，请重新登录。", "error")
        return
    if now - seen > 30:       # refresh at most twice a minute: not a session write per request
        session["seen_at"] = now


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask, registry: PluginRegistry) -> None:
    from core import admin, api, cli, pagecache, portal, ratelimit

    app.url_map.converters["tenant"] = TenantPathConverter
    app.url_map.strict_slashes = True
    ratelimit.init_app(app)
    _server_side_sessions(app)
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = "strong"
    csrf.init_app(app)

    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API authenticates by bearer token, never by cookie
    app.register_blueprint(admin.bp)
    _register_plugin_blueprints(app, registry)
    app.register_blueprint(portal.bp)  # last: its tenant-path routes are the most general

    app.url_value_preprocessor(_resolve_tenant)
    app.url_defaults(_tenant_url_defaults)
    app.before_request(_refuse_nul_bytes)
    app.before_request(_session_timeouts)
    app.before_request(_check_tenant_access)
    app.teardown_request(_leave_scope)
    app.after_request(security_headers)
    app.after_request(_deliver_notifications)
    pagecache.init_app(app)   # after the tenant checks; its after_request runs before the headers above
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.context_processor(_template_context)
    app.jinja_env.filters.update(localtime=localtime, mask_name=mask_name, mask_contact=mask_contact,
                                 paragraphs=text_to_html, plain=plain_text)
    app.jinja_env.globals.update(text_with_links=text_with_links)

    cli.register(app)
    for command in collect(registry.hook.cli_commands):
        app.cli.add_command(command)


def _server_side_sessions(app: Flask) -> None:
    """With REDIS_URL, sessions live in Redis (Flask-Session) and the cookie holds only a random
    id: every worker and machine sees the same session, and deleting it ends it. Without Redis,
    Flask's signed cookie (one machine, development)."""
    if not app.config.get("REDIS_URL") or app.config.get("SESSION_TYPE") == "cookie":
        return
    import redis
    from flask_session import Session
    app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.from_url(app.config["REDIS_URL"]))
    app.config.setdefault("SESSION_KEY_PREFIX", app.config["REDIS_KEY_PREFIX"] + "session:")
    Session(app)


def _register_plugin_blueprints(app: Flask, registry: PluginRegistry) -> None:
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


def _resolve_tenant(endpoint, values) -> None:
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


def _tenant_url_defaults(endpoint, values) -> None:
    """url_for(..., tenant=t) fills the tenant part; without it, the current tenant is used."""
    tenant = values.pop("tenant", None)
    current = g.get("tenant") if has_request_context() else None
    if current_app.url_map.is_endpoint_expecting(endpoint, "tenant_path") and "tenant_path" not in values:
        tenant = tenant or current
        if tenant is not None:
            values["tenant_path"] = tenant.url_path
    elif current_app.url_map.is_endpoint_expecting(endpoint, "tenant_slug") and "tenant_slug" not in values:
        tenant = tenant or current
        if tenant is not None:
            values["tenant_slug"] = tenant.slug


def _check_tenant_access() -> None:
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


def _refuse_nul_bytes() -> None:
    """No text column accepts NUL on PostgreSQL: refuse it up front, the same on every database."""
    values = list(request.args.values())
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values()) + [f.filename or "" for f in request.files.values()]
    if any("\x00" in v for v in values):
        raise BadRequest("请求中含有不允许的控制字符。")


def int_arg(name: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    """An integer query parameter within bounds, or None (a year like 99999999999 filters nothing)."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else None


def url_path_for(endpoint: str, **values) -> str:
    """The path of a page (no host), also outside a request: for search indexes, feeds built by jobs."""
    if has_request_context():
        return url_for(endpoint, **values)
    _tenant_url_defaults(endpoint, values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def host_root() -> Tenant | None:
    """The root tenant mapped to the request's host name, if any."""
    if "host_root" not in g:
        host = request.host.lower()
        g.host_root = db.session.scalar(select(Tenant).where(Tenant.host.in_({host, host.split(":")[0]})))
    return g.host_root


def _leave_scope(exc=None) -> None:
    token = g.pop("tenant_scope_token", None)
    if token is not None:
        exit_scope(token)
    immediate = g.pop("immediate_token", None)
    if immediate is not None:
        reset_immediate_writes(immediate)


def _deliver_notifications(response):
    """Messages of transactions that committed during the request go out now, after the work."""
    from core.notify import deliver_committed
    deliver_committed()
    return response


def safe_next(target: str | None) -> str | None:
    """A path on this site, or None: no scheme, no host, no control characters or backslashes
    (browsers drop tabs and newlines, so "/\t/evil" would become "//evil")."""
    if not target or any(ord(c) < 0x21 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


DISPLAY_COOKIE = "display"


def display_mode() -> str:
    """"elder" (适老化: extra-large text, high contrast) when the visitor chose it, else "standard"."""
    if not has_request_context():          # a template rendered by a command or a job
        return "standard"
    return "elder" if request.cookies.get(DISPLAY_COOKIE) == "elder" else "standard"


def error_response(status: int, message: str | None = None):
    message = message or ERROR_MESSAGES.get(status, "请求失败")
    if is_api_request():
        response = jsonify(error=message)
    else:
        response = make_response(render_template("errors/error.html", status=status,
                                                  title=ERROR_MESSAGES.get(status, "出错了"), message=message))
    response.status_code = status
    return response


def _http_error(exc: HTTPException):
    if exc.code is None or exc.code < 400:
        return exc
    message = None
    if exc.code in (400, 429) and exc.description and not exc.description.startswith(("The browser", "Too many")):
        message = exc.description
    response = error_response(exc.code, message)
    if exc.code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _domain_error(exc: DomainError):
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


def _integrity_error(exc: IntegrityError):
    """Two people saving the same thing at once: the loser is told, nothing is half-written."""
    db.session.rollback()
    return error_response(409, "数据已存在或已被他人修改，请刷新页面后重试。")


def _csrf_error(exc: CSRFError):
    return error_response(400, "页面已过期或缺少安全校验信息，请刷新页面后重新提交。")


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """UTC timestamps shown in China time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA_TZ).strftime(fmt)


def portal_nav(tenant: Tenant) -> list:
    registry = current_app.extensions["cms"]
    return registry.enabled_items(tenant, registry.menu(tenant, "portal_menu")
                                  + collect(registry.hook_for(tenant, "portal_nav"), tenant=tenant))


def current_column(nav_items) -> object | None:
    """The portal column (navigation item) the current page belongs to: the longest URL prefix."""
    inside = [item for item in nav_items if request.path.startswith(item.url)]
    return max(inside, key=lambda item: len(item.url)) if inside else None


def column_type(column) -> str:
    """ColumnType of the page metadata: what the column's plugin declares (信息公开, 互动交流, ...)."""
    if column is None:
        return "首页"
    info = current_app.extensions["cms"].infos.get(column.plugin)
    return info.column_type if info else "其他"


def _template_context() -> dict:
    return {
        "site_name": current_app.config["SITE_NAME"],
        "current_tenant": g.get("tenant"),
        "portal_nav": portal_nav,
        "can": lambda permission, tenant: has_permission(current_user, permission, tenant),
        "Markup": Markup,
        "display_mode": display_mode(),
        "current_column": current_column,
        "column_type": column_type,
    }
