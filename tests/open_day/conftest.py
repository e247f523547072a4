"""Helpers for the open-day tests: events in a given state, committed through the services."""
from __future__ import annotations

from datetime import timedelta

from core.accounts import SYSTEM
from core.clock import utcnow
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.open_day import services
from plugins.open_day.models import OpenDay


def make_event(slug: str = "baishui", *, state: str = "open", places: int = 10, group: int = 1,
               title: str = "走进便民服务中心", **extra) -> int:
    """state: draft, published (registration not yet open), open, closed or held."""
    now = utcnow()
    offsets = {  # (registration opens, closes, starts) relative to now, in hours
        "draft": (1, 48, 72), "published": (24, 48, 72), "open": (-1, 48, 72), "closed": (-48, -1, 24),
        "held": (-96, -72, -48)}[state]
    opens, closes, starts = (now + timedelta(hours=h) for h in offsets)
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        event = services.create_event(SYSTEM, tenant, {
            "title": title, "place": "便民服务中心", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "registration_opens_at": opens, "registration_closes_at": closes, "places": places,
            "max_group_size": group, **extra})
        if state != "draft":
            event.published_at = now - timedelta(hours=100)
        db.session.commit()
        return event.id


def register(slug: str, event_id: int, n: int, size: int = 1, **extra):
    """Register person n (phone 1380000nnnn); returns the registration's (code, status)."""
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        event = db.session.get(OpenDay, event_id)
        r = services.register(event, {"name": f"报名人{n}", "phone": f"1380000{n:04d}", "group_size": size,
                                      "consent": True, **extra})
        db.session.commit()
        return r.code, r.status


def move(slug: str, event_id: int, to: str) -> None:
    """Move an event in time: "ongoing" (started half an hour ago) or "held" (ended an hour ago)."""
    now = utcnow()
    starts = now - timedelta(minutes=30) if to == "ongoing" else now - timedelta(hours=3)
    with tenant_scope(tenant_by_slug(slug)):
        event = db.session.get(OpenDay, event_id)
        event.registration_opens_at, event.registration_closes_at = starts - timedelta(days=3), starts - timedelta(hours=1)
        event.cancel_deadline = event.registration_closes_at
        event.starts_at, event.ends_at = starts, starts + timedelta(hours=2)
        db.session.commit()
