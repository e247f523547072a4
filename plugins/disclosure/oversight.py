"""What the district sees of its units' annual reports from outside this plugin: the report due
(and, past its legal date, overdue) on the catalog's supervision page (supervision_notices hook)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from core.plugin_api import across_tenants, db, SupervisionNotice, url_path_for
from plugins.disclosure.models import AnnualReport
from plugins.disclosure.services import due_on, report_year, TENANT_KINDS

NAME = "disclosure"
DUE_SOON_DAYS = 31            # shown as due from a month before the legal date


def _list_url(tenant) -> str:
    if "disclosure_admin.reports" not in current_app.view_functions:
        return ""
    return url_path_for("disclosure_admin.reports", tenant=tenant)


def published_ids(tenant_ids: list[int], year: int) -> set[int]:
    with across_tenants(tenant_ids, reason="时效监督：各单位政府信息公开年报发布情况"):
        return set(db.session.scalars(select(AnnualReport.tenant_id).where(
            AnnualReport.tenant_id.in_(tenant_ids), AnnualReport.year == year,
            AnnualReport.status.in_(("published", "superseded")))))


def notices(tenants, as_of: date) -> list[SupervisionNotice]:
    """Last year's report, not yet published: due within a month (fair), overdue after the date (poor)."""
    units = [t for t in tenants if t.kind in TENANT_KINDS]
    if not units:
        return []
    year = report_year(as_of)
    done = published_ids([t.id for t in units], year)
    out = []
    for tenant in units:
        if tenant.id in done:
            continue
        due = due_on(tenant, year)
        if as_of > due:
            out.append(SupervisionNotice(NAME, tenant.id, f"{year}年政府信息公开工作年度报告逾期未发布（期限 {due.isoformat()}）",
                                         1, url=_list_url(tenant), severity="poor"))
        elif as_of >= due - timedelta(days=DUE_SOON_DAYS):
            out.append(SupervisionNotice(NAME, tenant.id, f"{year}年政府信息公开工作年度报告待发布（期限 {due.isoformat()}）",
                                         1, url=_list_url(tenant), severity="fair"))
    return out
