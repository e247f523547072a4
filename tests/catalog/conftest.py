"""Helpers for the catalog tests: find items by name, write records through the services."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from core.accounts import SYSTEM, user_by_username
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from core.clock import CHINA_TZ
from plugins.catalog import services


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=CHINA_TZ).astimezone(timezone.utc)


def leaf(tenant, name: str):
    matches = [i for i in services.leaf_items(tenant, applicable_only=False) if i.name == name]
    assert matches, f"{tenant.slug} has no item {name}"
    return matches[0]


def make_record(slug: str, item_name: str, title: str, *, publish: bool = True, written: date | None = None,
                when: date | None = None, disclosure: str = "proactive", actor=SYSTEM, **extra):
    """A record written (and by default published) in the tenant's scope; committed."""
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        data = {"item_id": leaf(tenant, item_name).id, "title": title, "written_date": written,
                "disclosure": disclosure, **extra}
        if disclosure != "proactive":
            data.setdefault("disclosure_reason", "《中华人民共和国政府信息公开条例》第十五条")
        record = services.create_record(actor, tenant, data)
        if publish:
            services.publish(actor, record, review_confirmed=True, when=at(when) if when else None)
        db.session.commit()
        return record.id


@pytest.fixture
def users(demo, ctx):
    return {name: user_by_username(name) for name in ("wang", "li", "zhao", "chen", "admin")}
