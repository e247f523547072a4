"""The admin shell: the /admin blueprint every core feature and plugin page hangs from, `requires()`,
the tenant switcher and the dashboards.

Every tenant page runs the same three steps: the tenant is loaded from the URL (core.web.hooks),
`requires()` checks access, then the view acts. Plugins protect their admin pages with the same
`requires()` decorator."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, g, has_request_context, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from core import audit
from core.accounts import (ROLE_LABELS, Permission, granted_tenants, has_permission, require_permission)
from core.attachments import save_upload
from core.clock import china_today
from core.db import db
from core.forms import ActionForm
from core.plugins import collect
from core.tenants import KIND_LABELS, Tenant, tenant_by_slug
from core.workdays import coverage_warnings


bp = Blueprint("admin", __name__, url_prefix="/admin")


def requires(permission: Permission):
    """Log-in plus `permission` on the current tenant; 404 when the user has no role there at all."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            require_permission(current_user, permission, g.tenant)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def accessible_tenants(user) -> list[Tenant]:
    """Every tenant the user may enter in the admin area, in tree order."""
    tops = granted_tenants(user)
    if not tops:
        return []
    stmt = select(Tenant).where(or_(*[Tenant.path.startswith(t.path) for t in tops])).order_by(Tenant.path)
    return list(db.session.scalars(stmt))


def save_uploads(field_name: str) -> list[int]:
    """Store the files posted in the form field `field_name`; their attachment ids, audited."""
    ids = []
    for upload in request.files.getlist(field_name):
        if upload and upload.filename:
            item = save_upload(upload, uploaded_by=current_user)
            audit.record("attachment.upload", target=item, summary=f"上传附件 {item.filename}")
            ids.append(item.id)
    return ids


@bp.app_context_processor
def _admin_context():
    """For every admin page, the core's and the plugins' alike (and admin error pages)."""
    if not has_request_context() or not request.path.startswith("/admin/"):
        return {}
    tenant = g.get("tenant")
    nav = []
    if tenant is not None and current_user.is_authenticated:
        registry = current_app.extensions["cms"]
        allowed = lambda permission: has_permission(current_user, permission, tenant)  # noqa: E731
        nav = registry.enabled_items(tenant, registry.menu(tenant, "admin_menu", allowed)
                                     + collect(registry.hook_for(tenant, "admin_nav"), tenant=tenant, user=current_user))
    switch = accessible_tenants(current_user) if current_user.is_authenticated else []
    return {"admin_nav": nav, "switch_tenants": switch, "Permission": Permission, "role_labels": ROLE_LABELS, "kind_labels": KIND_LABELS,
            "action_form": ActionForm(formdata=None)}


@bp.get("/")
@login_required
def index():
    tops = granted_tenants(current_user)
    if len(tops) == 1:  # one grant (with its subtree): straight to that dashboard
        return redirect(url_for("admin.dashboard", tenant=tops[0]))
    return render_template("admin/index.html", tenants=accessible_tenants(current_user),
                           calendar_warnings=calendar_warnings())


def calendar_warnings() -> list:
    """Years without holiday data, for the people who can enter them (superadmins)."""
    return coverage_warnings(china_today()) if current_user.is_superadmin else []


@bp.get("/switch")
@login_required
def switch():
    tenant = tenant_by_slug(request.args.get("to", ""))
    if tenant is None or not has_permission(current_user, Permission.ADMIN_ACCESS, tenant):
        abort(404)
    return redirect(url_for("admin.dashboard", tenant=tenant))


@bp.get("/<tenant_slug>/")
@requires(Permission.ADMIN_ACCESS)
def dashboard():
    registry = current_app.extensions["cms"]
    allowed = lambda permission: has_permission(current_user, permission, g.tenant)  # noqa: E731
    widgets = registry.enabled_items(g.tenant, registry.widgets(g.tenant, allowed) + collect(
        registry.hook_for(g.tenant, "dashboard_widgets"), tenant=g.tenant, user=current_user))
    return render_template("admin/dashboard.html", tenant=g.tenant, widgets=widgets, calendar_warnings=calendar_warnings())
