"""The outbox: messages to the public of a tenant and its subtree."""
from __future__ import annotations

from flask import g, render_template
from sqlalchemy import select

from core.accounts import Permission
from core.pagination import page_args, paginate
from core.tenants import Tenant
from core.web.admin import bp, requires


@bp.get("/<tenant_slug>/outbox")
@requires(Permission.TENANT_MANAGE)
def outbox():
    """Messages sent (or kept, when no SMS/e-mail plugin is installed) for this tenant and below."""
    from core.notify import Notification
    stmt = select(Notification).where(Notification.tenant_id.in_(
        select(Tenant.id).where(Tenant.path.startswith(g.tenant.path)))).order_by(Notification.id.desc())
    page = paginate(stmt, *page_args(50))
    return render_template("admin/outbox.html", tenant=g.tenant, page=page)
