"""The audit log: who did what to which object in which tenant, when (UTC), from which address."""
from __future__ import annotations

from datetime import datetime

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, utcnow
from core.tenancy import Tenant


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as text too, so the entry still says who it was after the account is gone.
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


def _current_actor():
    if not has_request_context():
        return None
    if g.get("api_user") is not None:
        return g.api_user
    if current_user and current_user.is_authenticated:
        return current_user
    return None


def record(action: str, *, target=None, tenant: Tenant | int | None = None, summary: str = "",
           actor=None, actor_name: str | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (it commits or rolls back with the action)."""
    actor = actor or _current_actor()
    if tenant is None and target is not None:
        tenant = getattr(target, "tenant_id", None)
        if tenant is None and isinstance(target, Tenant):
            tenant = target
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name if actor_name is not None else getattr(actor, "username", "") or "",
        tenant_id=tenant.id if isinstance(tenant, Tenant) else tenant,
        action=action,
        object_type=type(target).__name__ if target is not None else "",
        object_id=str(getattr(target, "id", "") or "") if target is not None else "",
        summary=summary[:2000],
        ip=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(entry)
    return entry


def subtree_query(tenant: Tenant | None, *, action: str | None = None) -> Select:
    """Entries of a tenant and its descendants, newest first; tenant None means every entry."""
    stmt = select(AuditEntry)
    if tenant is not None:
        stmt = stmt.where(AuditEntry.tenant_id.in_(select(Tenant.id).where(Tenant.path.startswith(tenant.path))))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
