"""Helpers for the opinions tests: consultations in a given state, committed through the services."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.accounts import SYSTEM
from core.clock import china_today, utcnow
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.opinions import services
from plugins.opinions.models import Consultation

DRAFT = "".join(f"<p>第{n}条 条款内容{n}。</p>" for n in "一二三四五")


def make_consultation(slug: str = "baishui", *, state: str = "open", title: str = "集贸市场改造方案（征求意见稿）",
                      moderation: str = "immediate", **extra) -> int:
    """state: draft, scheduled, open or closed (dates chosen accordingly)."""
    today = china_today()
    starts = {"draft": today, "scheduled": today + timedelta(days=5), "open": today - timedelta(days=3),
              "closed": today - timedelta(days=40)}[state]
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        c = services.create_consultation(SYSTEM, tenant, {
            "title": title, "draft_html": DRAFT, "starts_on": starts, "ends_on": starts + timedelta(days=29),
            "moderation": moderation, **extra})
        if state != "draft":
            c.announced_at = utcnow()
        db.session.commit()
        return c.id


def comment(slug: str, consultation_id: int, content: str = "建议延长早市时间，方便老人买菜。", **data) -> str:
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        c = db.session.get(Consultation, consultation_id)
        made = services.submit_comment(c, {"content": content, "consent": True, **data})
        db.session.commit()
        return made.tracking_code


@pytest.fixture
def open_id(demo, ctx):
    return make_consultation()
