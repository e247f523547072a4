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
from tests.access import SECRET

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
            "title": title, "draft_html": DRAFT, "starts_on": starts, "ends_on": starts + timedelta(days=30),
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



# --- the access matrix (tests/access.py) --------------------------------------------------------

def pytest_cms_access_routes():
    return {
    ("opinions.comment", "/<tenant:tenant_path>/opinions/<int:consultation_id>/comments"): "public_post",
    ("opinions.consultation", "/<tenant:tenant_path>/opinions/<int:consultation_id>"): "public",
    ("opinions.feed", "/<tenant:tenant_path>/opinions/feed.atom"): "public",
    ("opinions.feedback", "/<tenant:tenant_path>/opinions/<int:consultation_id>/feedback"): "public",
    ("opinions.feedback_csv", "/<tenant:tenant_path>/opinions/<int:consultation_id>/feedback.csv"): "public",
    ("opinions.index", "/<tenant:tenant_path>/opinions/"): "public",
    ("opinions.thanks", "/<tenant:tenant_path>/opinions/<int:consultation_id>/thanks"): "public",
    ("opinions.track", "/<tenant:tenant_path>/opinions/track"): "public",
    ("opinions_admin.announce", "/admin/<tenant_slug>/opinions/<int:consultation_id>/announce"): "admin",
    ("opinions_admin.disposition", "/admin/<tenant_slug>/opinions/<int:consultation_id>/comments/<int:comment_id>/disposition"): "admin",
    ("opinions_admin.edit", "/admin/<tenant_slug>/opinions/<int:consultation_id>/edit"): "admin",
    ("opinions_admin.export_csv", "/admin/<tenant_slug>/opinions/<int:consultation_id>/export.csv"): "admin",
    ("opinions_admin.export_xlsx", "/admin/<tenant_slug>/opinions/<int:consultation_id>/export.xlsx"): "admin",
    ("opinions_admin.extend", "/admin/<tenant_slug>/opinions/<int:consultation_id>/extend"): "admin",
    ("opinions_admin.group", "/admin/<tenant_slug>/opinions/<int:consultation_id>/groups/<int:group_id>"): "admin",
    ("opinions_admin.group", "/admin/<tenant_slug>/opinions/<int:consultation_id>/groups"): "admin",
    ("opinions_admin.group_delete", "/admin/<tenant_slug>/opinions/<int:consultation_id>/groups/<int:group_id>/delete"): "admin",
    ("opinions_admin.index", "/admin/<tenant_slug>/opinions/"): "admin",
    ("opinions_admin.manage", "/admin/<tenant_slug>/opinions/<int:consultation_id>"): "admin",
    ("opinions_admin.moderate", "/admin/<tenant_slug>/opinions/<int:consultation_id>/comments/<int:comment_id>/moderate"): "admin",
    ("opinions_admin.new", "/admin/<tenant_slug>/opinions/new"): "admin",
    ("opinions_admin.offline", "/admin/<tenant_slug>/opinions/<int:consultation_id>/offline"): "admin",
    ("opinions_admin.publish_feedback", "/admin/<tenant_slug>/opinions/<int:consultation_id>/feedback"): "admin",
    ("opinions_admin.settings", "/admin/<tenant_slug>/opinions/settings"): "admin",
    ("opinions_api.announce", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/announce"): "api_write",
    ("opinions_api.comments", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/comments"): "api_read",
    ("opinions_api.consultation", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>"): "api_read",
    ("opinions_api.consultations", "/api/v1/tenants/<tenant_slug>/opinions/consultations"): "api_read",
    ("opinions_api.create", "/api/v1/tenants/<tenant_slug>/opinions/consultations"): "api_write",
    ("opinions_api.disposition", "/api/v1/tenants/<tenant_slug>/opinions/comments/<int:comment_id>/disposition"): "api_write",
    ("opinions_api.extend", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/extend"): "api_write",
    ("opinions_api.feedback", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/feedback"): "api_read",
    ("opinions_api.group", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/groups"): "api_write",
    ("opinions_api.moderate", "/api/v1/tenants/<tenant_slug>/opinions/comments/<int:comment_id>/moderate"): "api_write",
    ("opinions_api.offline", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/offline-comments"): "api_write",
    ("opinions_api.publish_feedback", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/feedback"): "api_write",
    ("opinions_api.submit", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>/comments"): "api_read",
    ("opinions_api.track", "/api/v1/tenants/<tenant_slug>/opinions/track/<code>"): "api_read",
    ("opinions_api.update", "/api/v1/tenants/<tenant_slug>/opinions/consultations/<int:consultation_id>"): "api_write",
    }


def pytest_cms_access_objects(town, county):
    from datetime import timedelta

    from core.clock import china_today
    today = china_today()
    period = {"starts_on": today - timedelta(days=1), "ends_on": today + timedelta(days=30), "moderation": "review"}
    with tenant_scope(town):
        draft = services.create_consultation(SYSTEM, town, {"title": f"{SECRET}征求意见草稿",
                                                            "draft_html": f"<p>{SECRET}</p>", **period})
        published = services.create_consultation(SYSTEM, town, {"title": "白水镇公开征求意见",
                                                                "draft_html": "<p>第一条</p>", **period})
        services.announce(SYSTEM, published)
        pending = services.submit_comment(published, {"content": f"待审核的意见 {SECRET}", "author_name": f"{SECRET}张",
                                                      "consent": True})
        # A tracking code opens its own comment to whoever holds it: this one carries no secret.
        tracked = services.submit_comment(published, {"content": "建议增加早市摊位。", "consent": True})
    return {"blueprints": ('opinions', 'opinions_admin', 'opinions_api'),
            "draft": {"consultation_id": draft.id}, "published": {"consultation_id": published.id},
            "any": {"comment_id": pending.id, "group_id": 1, "code": tracked.tracking_code},
            "objects": {"consultation_id", "comment_id", "code"}, "private": {"consultation_id"},
            "owned": {"consultation_id", "comment_id", "code"}}


def pytest_cms_access_owner_pages(values):
    return [f"/admin/baishui/opinions/{values['opinions_admin']['draft']['consultation_id']}"]
