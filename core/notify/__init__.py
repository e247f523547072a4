"""Notifications to people (SMS or e-mail) through an outbox.

Every message is written to the `notifications` table first. A plugin that implements
`deliver_notification` (an SMS gateway, a mail server) sends it and says so; without one the
outbox is the log, readable by the tenant's admins. Recipients are personal data: shown masked,
erased by `cms privacy purge`.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timezone

from flask import current_app
from sqlalchemy import ForeignKey, String, Text, event, select
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import TenantSession, UTCDateTime, db
from core.masking import mask_contact

log = logging.getLogger("cms.notify")


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    recipient: Mapped[str] = mapped_column(String(200))       # personal data
    kind: Mapped[str] = mapped_column(String(50))             # e.g. open_day.confirmed
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    delivered_by: Mapped[str] = mapped_column(String(50), default="")   # "" = kept in the outbox only
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def masked_recipient(self) -> str:
        return mask_contact(self.recipient)


_QUEUED = "cms_notifications_queued"        # written in the open transaction
_COMMITTED = "cms_notifications_committed"  # their transaction committed: ready to send


def notify(*, tenant_id: int | None, recipient: str, kind: str, subject: str, body: str,
           channel: str = "sms") -> Notification:
    """Put a message in the outbox, in the current transaction. It is handed to a delivery plugin
    only after that transaction commits (see deliver_committed): no message about a registration
    that was rolled back, and no network call while the transaction holds its locks."""
    message = Notification(tenant_id=tenant_id, channel=channel, recipient=recipient, kind=kind, subject=subject,
                           body=body)
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_QUEUED, []).append(message.id)
    return message


@event.listens_for(TenantSession, "after_commit")
def _committed(session) -> None:
    queued = session.info.pop(_QUEUED, [])
    if queued:
        session.info.setdefault(_COMMITTED, []).extend(queued)


@event.listens_for(TenantSession, "after_soft_rollback")
def _rolled_back(session, previous_transaction) -> None:
    session.info.pop(_QUEUED, None)


def deliver_committed() -> int:
    """Hand committed messages to the delivery plugins (after the request's work is done)."""
    ids = db.session.info.pop(_COMMITTED, [])
    if not ids:
        return 0
    hook = current_app.extensions["cms"].hook
    for message in db.session.scalars(select(Notification).where(Notification.id.in_(ids))):
        try:
            delivered_by = hook.deliver_notification(notification=message)
        except Exception:  # a gateway failure must not lose the message: it stays in the outbox
            log.exception("delivery of notification #%s failed", message.id)
            continue
        if delivered_by:
            message.delivered_by, message.delivered_at = str(delivered_by)[:50], utcnow()
        else:
            log.info("outbox #%s %s to %s: %s", message.id, message.kind, message.masked_recipient, message.subject)
    db.session.commit()
    return len(ids)


def purge(before: date) -> int:
    """Erase the recipients of messages created before `before`; the messages stay as a record."""
    cutoff = datetime.combine(before, time.min, tzinfo=timezone.utc)
    rows = list(db.session.scalars(select(Notification).where(Notification.created_at < cutoff,
                                                              Notification.recipient != "")))
    for message in rows:
        message.recipient = ""
    return len(rows)
