"""Helpers for the disclosure tests, and the plugin's routes in the access matrix."""
from __future__ import annotations

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.disclosure import services

ENTERED = {"licensing": "46", "penalty": "12", "coercion": "1", "fees_wan": "1.2345"}


def make_report(slug: str = "baishui", year: int = 2025, *, publish: bool = False, **data):
    """A report generated as SYSTEM (filled with `data`), reviewed and published if asked; committed; its id."""
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        report = services.generate(SYSTEM, tenant, year)
        if data:
            services.update(SYSTEM, report, data)
        if publish:
            services.review(SYSTEM, report)
            services.publish(SYSTEM, report)
        db.session.commit()
        return report.id


# --- the access matrix (tests/access.py) --------------------------------------------------------

def pytest_cms_access_routes():
    return {
        ("disclosure.index", "/<tenant:tenant_path>/disclosure/"): "public",
        ("disclosure.guide", "/<tenant:tenant_path>/disclosure/guide"): "public",
        ("disclosure.guide_version", "/<tenant:tenant_path>/disclosure/guide/v<int:number>"): "public",
        ("disclosure.reports", "/<tenant:tenant_path>/disclosure/reports/"): "public",
        ("disclosure.report", "/<tenant:tenant_path>/disclosure/reports/<int:report_id>"): "public",
        ("disclosure.report_pdf", "/<tenant:tenant_path>/disclosure/reports/<int:report_id>.pdf"): "public",
        ("disclosure.report_xlsx", "/<tenant:tenant_path>/disclosure/reports/<int:report_id>.xlsx"): "public",
        # the county's 政策文件库 (a town's address leads to it, filtered to the town)
        ("disclosure.policies", "/<tenant:tenant_path>/disclosure/policies/"): "public",
        ("disclosure_api.policies", "/api/v1/tenants/<tenant_slug>/disclosure/policies"): "api_read",
        ("disclosure_api.reports", "/api/v1/tenants/<tenant_slug>/disclosure/reports"): "api_read",
        ("disclosure_api.report", "/api/v1/tenants/<tenant_slug>/disclosure/reports/<int:report_id>"): "api_read",
        # the office: another town's editor gets 404 on every one
        ("disclosure_admin.guide", "/admin/<tenant_slug>/disclosure/guide"): "admin",
        ("disclosure_admin.reports", "/admin/<tenant_slug>/disclosure/"): "admin",
        ("disclosure_admin.generate", "/admin/<tenant_slug>/disclosure/generate"): "admin",
        ("disclosure_admin.report", "/admin/<tenant_slug>/disclosure/<int:report_id>"): "admin",
        ("disclosure_admin.report_save", "/admin/<tenant_slug>/disclosure/<int:report_id>"): "admin",
        ("disclosure_admin.refresh", "/admin/<tenant_slug>/disclosure/<int:report_id>/refresh"): "admin",
        ("disclosure_admin.review", "/admin/<tenant_slug>/disclosure/<int:report_id>/review"): "admin",
        ("disclosure_admin.reopen", "/admin/<tenant_slug>/disclosure/<int:report_id>/reopen"): "admin",
        ("disclosure_admin.publish", "/admin/<tenant_slug>/disclosure/<int:report_id>/publish"): "admin",
        ("disclosure_admin.correct", "/admin/<tenant_slug>/disclosure/<int:report_id>/correct"): "admin",
        ("disclosure_admin.preview_pdf", "/admin/<tenant_slug>/disclosure/<int:report_id>/preview.pdf"): "admin",
        ("disclosure_admin.overview", "/admin/<tenant_slug>/disclosure/overview"): "admin",
        ("disclosure_admin.overview_xlsx", "/admin/<tenant_slug>/disclosure/overview.xlsx"): "admin",
    }


def pytest_cms_access_objects(town, county):
    """In the victim town: a 2026 draft report carrying SECRET, and a published 2025 report."""
    from tests.access import SECRET
    with tenant_scope(town):
        draft = services.generate(SYSTEM, town, 2026)
        services.update(SYSTEM, draft, {"overview": f"{SECRET}：白水镇年度报告草稿", "problems": SECRET})
        published = services.generate(SYSTEM, town, 2025)
        services.review(SYSTEM, published)
        services.publish(SYSTEM, published)
    return {"blueprints": ("disclosure", "disclosure_admin", "disclosure_api"),
            "draft": {"report_id": draft.id}, "published": {"report_id": published.id}, "any": {"number": 1},
            "objects": {"report_id"}, "private": {"report_id"}, "owned": {"report_id"}}


def pytest_cms_access_owner_pages(values):
    return [f"/admin/baishui/disclosure/{values['disclosure_admin']['draft']['report_id']}"]
