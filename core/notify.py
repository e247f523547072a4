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
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UTCDateTime, db, utcnow
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


def notify(*, tenant_id: int | None, recipient: str, kind: str, subject: str, body: str,
           channel: str = "sms") -> Notification:
    """Queue a message in the current transaction and hand it to a delivery plugin, if any."""
    message = Notification(tenant_id=tenant_id, channel=channel, recipient=recipient, kind=kind, subject=subject,
                           body=body)
    db.session.add(message)
    db.session.flush()
    delivered_by = current_app.extensions["cms"].hook.deliver_notification(notification=message)
    if delivered_by:
        message.delivered_by, message.delivered_at = str(delivered_by)[:50], utcnow()
    else:
        log.info("outbox #%s %s to %s: %s", message.id, kind, message.masked_recipient, subject)
    return message


def purge(before: date) -> int:
    """Erase the recipients of messages created before `before`; the messages stay as a record."""
    cutoff = datetime.combine(before, time.min, tzinfo=timezone.utc)
    rows = list(db.session.scalars(select(Notification).where(Notification.created_at < cutoff,
                                                              Notification.recipient != "")))
    for message in rows:
        message.recipient = ""
    return len(rows)
