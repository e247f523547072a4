"""Helpers for the open-day tests: events in a given state, committed through the services."""
from __future__ import annotations

from datetime import timedelta

from core.accounts import SYSTEM
from core.clock import utcnow
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.open_day import services
from plugins.open_day.models import OpenDay
from tests.access import SECRET


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



# --- the access matrix (tests/access.py) --------------------------------------------------------

def pytest_cms_access_routes():
    return {
    ("open_day.cancel", "/<tenant:tenant_path>/open-day/registration/<code>/cancel"): "public_post",
    ("open_day.event", "/<tenant:tenant_path>/open-day/<int:event_id>"): "public",
    ("open_day.feed", "/<tenant:tenant_path>/open-day/feed.atom"): "public",
    ("open_day.find_registration", "/<tenant:tenant_path>/open-day/registration"): "public",
    ("open_day.ics", "/<tenant:tenant_path>/open-day/<int:event_id>/calendar.ics"): "public",
    ("open_day.index", "/<tenant:tenant_path>/open-day/"): "public",
    ("open_day.qr", "/<tenant:tenant_path>/open-day/registration/<code>/qr.svg"): "public",
    ("open_day.rate", "/<tenant:tenant_path>/open-day/registration/<code>/rate"): "public_post",
    ("open_day.register", "/<tenant:tenant_path>/open-day/<int:event_id>/register"): "public_post",
    ("open_day.registration", "/<tenant:tenant_path>/open-day/registration/<code>"): "public",
    ("open_day_admin.cancel", "/admin/<tenant_slug>/open-day/<int:event_id>/cancel"): "admin",
    ("open_day_admin.cancel_registration", "/admin/<tenant_slug>/open-day/<int:event_id>/registrations/<int:registration_id>/cancel"): "admin",
    ("open_day_admin.check_in", "/admin/<tenant_slug>/open-day/<int:event_id>/check-in"): "admin",
    ("open_day_admin.edit", "/admin/<tenant_slug>/open-day/<int:event_id>/edit"): "admin",
    ("open_day_admin.export", "/admin/<tenant_slug>/open-day/<int:event_id>/export.csv"): "admin",
    ("open_day_admin.index", "/admin/<tenant_slug>/open-day/"): "admin",
    ("open_day_admin.manage", "/admin/<tenant_slug>/open-day/<int:event_id>"): "admin",
    ("open_day_admin.new", "/admin/<tenant_slug>/open-day/new"): "admin",
    ("open_day_admin.publish", "/admin/<tenant_slug>/open-day/<int:event_id>/publish"): "admin",
    ("open_day_admin.review", "/admin/<tenant_slug>/open-day/<int:event_id>/review"): "admin",
    ("open_day_api.cancel", "/api/v1/tenants/<tenant_slug>/open-day/registrations/<code>/cancel"): "api_read",
    ("open_day_api.cancel_event", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/cancel"): "api_write",
    ("open_day_api.check_in", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/check-in"): "api_write",
    ("open_day_api.create", "/api/v1/tenants/<tenant_slug>/open-day/events"): "api_write",
    ("open_day_api.event", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>"): "api_read",
    ("open_day_api.events", "/api/v1/tenants/<tenant_slug>/open-day/events"): "api_read",
    ("open_day_api.publish", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/publish"): "api_write",
    ("open_day_api.register", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/registrations"): "api_read",
    ("open_day_api.registration", "/api/v1/tenants/<tenant_slug>/open-day/registrations/<code>"): "api_read",
    ("open_day_api.review", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>/review"): "api_write",
    ("open_day_api.update", "/api/v1/tenants/<tenant_slug>/open-day/events/<int:event_id>"): "api_write",
    }


def pytest_cms_access_objects(town, county):
    from datetime import timedelta

    from core.clock import utcnow
    now = utcnow()
    event = {"place": "便民服务中心", "starts_at": now + timedelta(days=5), "ends_at": now + timedelta(days=5, hours=2),
             "registration_opens_at": now - timedelta(hours=1), "registration_closes_at": now + timedelta(days=3),
             "places": 10, "max_group_size": 1, "waitlist_enabled": False}
    with tenant_scope(town):
        draft = services.create_event(SYSTEM, town, {"title": f"{SECRET}开放日草稿", **event})
        published = services.create_event(SYSTEM, town, {"title": "白水镇开放日", **event})
        services.publish_event(SYSTEM, published)
        registration = services.register(published, {"name": f"{SECRET}李", "phone": "13900000001", "consent": True})
    return {"blueprints": ('open_day', 'open_day_admin', 'open_day_api'),
            "draft": {"event_id": draft.id}, "published": {"event_id": published.id},
            "any": {"code": registration.code, "registration_id": registration.id},
            "objects": {"event_id", "code", "registration_id"}, "private": {"event_id"}, "owned": {"event_id", "code"}}


def pytest_cms_access_owner_pages(values):
    return [f"/admin/baishui/open-day/{values['open_day_admin']['draft']['event_id']}"]
