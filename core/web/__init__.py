"""The web layer's helpers for core features and plugins: URLs, the current host's root tenant,
safe redirects, error pages, display mode and template filters. A leaf: it imports no view."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, jsonify, make_response, render_template, request, url_for
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from werkzeug.routing import BaseConverter

from core.clock import CHINA_TZ
from core.db import db
from core.plugins import collect
from core.tenants import Tenant


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


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def int_arg(name: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    """An integer query parameter within bounds, or None (a year like 99999999999 filters nothing)."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else None


def url_path_for(endpoint: str, **values) -> str:
    """The path of a page (no host), also outside a request: for search indexes, feeds built by jobs."""
    if has_request_context():
        return url_for(endpoint, **values)
    tenant_url_defaults(endpoint, values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def tenant_url_defaults(endpoint, values) -> None:
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


def host_root() -> Tenant | None:
    """The root tenant mapped to the request's host name, if any."""
    if "host_root" not in g:
        host = request.host.lower()
        g.host_root = db.session.scalar(select(Tenant).where(Tenant.host.in_({host, host.split(":")[0]})))
    return g.host_root


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
    if is_api_request() or request.is_json:      # a client that sent JSON reads JSON back
        response = jsonify(error=message)
    else:
        response = make_response(render_template("errors/error.html", status=status,
                                                  title=ERROR_MESSAGES.get(status, "出错了"), message=message))
    response.status_code = status
    return response


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


ICP_FILING_URL = "https://beian.miit.gov.cn/"
POLICE_FILING_URL = "https://beian.mps.gov.cn/#/query/webSearch?code="


def site_footer(tenant: Tenant | None) -> dict:
    """What the footer shows: the district's identification as its admin entered it (nothing
    invented: an empty field is left out), with the filing numbers linking to where anyone can
    check them, and the site-wide SITE_ID_CODE setting when the district has none of its own."""
    info = dict((tenant.root.site_info or {}) if tenant is not None else {})
    info.setdefault("site_code", current_app.config.get("SITE_ID_CODE") or "")
    if info.get("icp"):
        info["icp_url"] = ICP_FILING_URL
    if info.get("police_record"):
        digits = "".join(ch for ch in info["police_record"] if ch.isdigit())
        info["police_url"] = POLICE_FILING_URL + digits
    return {k: v for k, v in info.items() if v}


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
