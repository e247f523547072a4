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
    }
