"""Helpers for the applications tests (依申请公开), and the plugin's routes in the access matrix."""
from __future__ import annotations

from datetime import date

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.applications import services

CITIZEN = {"applicant_kind": "citizen", "name": "张三", "id_type": "id_card", "id_number": "110101199001011234",
           "address": "青岚县白水镇人民路 1 号", "postcode": "530000", "phone": "13800001234",
           "email": "zhangsan@example.com", "description": "2026年白水镇农村危房改造补助资金的发放名单",
           "form": "paper", "delivery": "post"}


def make_application(slug: str = "baishui", *, received: date | None = None, **data):
    """An application received online (and confirmed on `received`, if given); committed; its id."""
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        application = services.submit_online(tenant, {**CITIZEN, "consent": True, **data})
        if received is not None:
            services.confirm_receipt(SYSTEM, application, received)
        db.session.commit()
        return application.id


# --- the access matrix (tests/access.py) --------------------------------------------------------

def pytest_cms_access_routes():
    return {
    ("applications.apply", "/<tenant:tenant_path>/applications/"): "public",
    ("applications.letter", "/<tenant:tenant_path>/applications/status/letter"): "public",
    ("applications.receipt", "/<tenant:tenant_path>/applications/receipt"): "public",
    ("applications.status", "/<tenant:tenant_path>/applications/status"): "public",
    ("applications_api.status", "/api/v1/tenants/<tenant_slug>/applications/status"): "api_read",
    ("applications_api.submit", "/api/v1/tenants/<tenant_slug>/applications/"): "api_read",
    # the office (admin pages and token API): another town's editor gets 404 on every one
    ("applications_admin.index", "/admin/<tenant_slug>/applications/"): "admin",
    ("applications_admin.register", "/admin/<tenant_slug>/applications/new"): "admin",
    ("applications_admin.settings", "/admin/<tenant_slug>/applications/settings"): "admin",
    ("applications_admin.application", "/admin/<tenant_slug>/applications/<int:application_id>"): "admin",
    ("applications_admin.archive_pdf", "/admin/<tenant_slug>/applications/<int:application_id>/archive.pdf"): "admin",
    ("applications_admin.archive_zip", "/admin/<tenant_slug>/applications/<int:application_id>/archive.zip"): "admin",
    ("applications_admin.receipt", "/admin/<tenant_slug>/applications/<int:application_id>/receipt"): "admin",
    ("applications_admin.correction", "/admin/<tenant_slug>/applications/<int:application_id>/correction"): "admin",
    ("applications_admin.corrected", "/admin/<tenant_slug>/applications/<int:application_id>/corrected"): "admin",
    ("applications_admin.lapse", "/admin/<tenant_slug>/applications/<int:application_id>/lapse"): "admin",
    ("applications_admin.third_party", "/admin/<tenant_slug>/applications/<int:application_id>/third-party"): "admin",
    ("applications_admin.third_party_end",
     "/admin/<tenant_slug>/applications/<int:application_id>/third-party/end"): "admin",
    ("applications_admin.extend", "/admin/<tenant_slug>/applications/<int:application_id>/extend"): "admin",
    ("applications_admin.answer", "/admin/<tenant_slug>/applications/<int:application_id>/answer"): "admin",
    ("applications_admin.letter_draft", "/admin/<tenant_slug>/applications/<int:application_id>/letter/draft"): "admin",
    ("applications_admin.letter_save", "/admin/<tenant_slug>/applications/<int:application_id>/letter"): "admin",
    ("applications_admin.letter_submit", "/admin/<tenant_slug>/applications/<int:application_id>/letter/submit"): "admin",
    ("applications_admin.letter_approve",
     "/admin/<tenant_slug>/applications/<int:application_id>/letter/approve"): "admin",
    ("applications_admin.letter_return", "/admin/<tenant_slug>/applications/<int:application_id>/letter/return"): "admin",
    ("applications_admin.delivery", "/admin/<tenant_slug>/applications/<int:application_id>/delivery"): "admin",
    ("applications_admin.close", "/admin/<tenant_slug>/applications/<int:application_id>/close"): "admin",
    # statistics, fees, appeals (admin_stats.py)
    ("applications_admin.stats_page", "/admin/<tenant_slug>/applications/stats"): "admin",
    ("applications_admin.stats_xlsx", "/admin/<tenant_slug>/applications/stats.xlsx"): "admin",
    ("applications_admin.fee_page", "/admin/<tenant_slug>/applications/<int:application_id>/fees"): "admin",
    ("applications_admin.fee_notice", "/admin/<tenant_slug>/applications/<int:application_id>/fees/notice"): "admin",
    ("applications_admin.fee_payment", "/admin/<tenant_slug>/applications/<int:application_id>/fees/payment"): "admin",
    ("applications_admin.fee_waiver", "/admin/<tenant_slug>/applications/<int:application_id>/fees/waiver"): "admin",
    ("applications_admin.fee_lapse", "/admin/<tenant_slug>/applications/<int:application_id>/fees/lapse"): "admin",
    ("applications_admin.appeals_page", "/admin/<tenant_slug>/applications/<int:application_id>/appeals"): "admin",
    ("applications_admin.appeal_new", "/admin/<tenant_slug>/applications/<int:application_id>/appeals"): "admin",
    ("applications_admin.appeal_update",
     "/admin/<tenant_slug>/applications/<int:application_id>/appeals/update"): "admin",
    ("applications_api.office_list", "/api/v1/tenants/<tenant_slug>/applications/office"): "api_write",
    ("applications_api.office_register", "/api/v1/tenants/<tenant_slug>/applications/office"): "api_write",
    ("applications_api.office_get", "/api/v1/tenants/<tenant_slug>/applications/office/<int:application_id>"): "api_write",
    ("applications_api.office_receipt",
     "/api/v1/tenants/<tenant_slug>/applications/office/<int:application_id>/receipt"): "api_write",
    ("applications_api.office_correction",
     "/api/v1/tenants/<tenant_slug>/applications/office/<int:application_id>/correction"): "api_write",
    ("applications_api.office_corrected",
     "/api/v1/tenants/<tenant_slug>/applications/office/<int:application_id>/corrected"): "api_write",
    ("applications_api.office_extend",
     "/api/v1/tenants/<tenant_slug>/applications/office/<int:application_id>/extension"): "api_write",
    ("applications_api.office_answer",
     "/api/v1/tenants/<tenant_slug>/applications/office/<int:application_id>/answer"): "api_write",
    }


def pytest_cms_access_objects(town, county):
    """An application received by the victim town, its description carrying SECRET."""
    from tests.access import SECRET
    with tenant_scope(town):
        application = services.submit_online(town, {**CITIZEN, "consent": True,
                                                     "description": f"{SECRET}：白水镇的危房改造名单"})
    return {"blueprints": ("applications", "applications_admin", "applications_api"),
            "draft": {"application_id": application.id}, "published": {"application_id": application.id},
            "objects": {"application_id"}, "private": {"application_id"}, "owned": {"application_id"}}


def pytest_cms_access_owner_pages(values):
    return [f"/admin/baishui/applications/{values['applications_admin']['draft']['application_id']}",
            "/admin/baishui/applications/"]
