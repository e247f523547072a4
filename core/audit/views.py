"""The audit log: a tenant's (and its subtree's), and the whole installation's for superadmins."""
from __future__ import annotations

from flask import abort, g, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from core import audit
from core.accounts import Permission
from core.db import db
from core.pagination import page_args, paginate
from core.tenants import Tenant
from core.web.admin import bp, requires


@bp.get("/audit")
@login_required
def audit_all():
    """The whole installation's log, logins and CLI runs included: superadmins only."""
    if not current_user.is_superadmin:
        abort(404)
    page = paginate(audit.subtree_query(None, action=request.args.get("action") or None), *page_args(50))
    tenant_names = {t.id: t.name for t in db.session.scalars(select(Tenant))}
    return render_template("admin/audit.html", tenant=None, page=page, tenant_names=tenant_names)


@bp.get("/<tenant_slug>/audit")
@requires(Permission.AUDIT_READ)
def audit_log():
    page = paginate(audit.subtree_query(g.tenant, action=request.args.get("action") or None), *page_args(50))
    tenant_names = {t.id: t.name for t in db.session.scalars(select(Tenant).where(Tenant.path.startswith(g.tenant.path)))}
    return render_template("admin/audit.html", tenant=g.tenant, page=page, tenant_names=tenant_names)
