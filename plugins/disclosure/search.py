"""Published annual reports in site search (the current version of each year)."""
from __future__ import annotations

from sqlalchemy import select

from core.plugin_api import SearchDocument, SearchSource, url_path_for
from plugins.disclosure.models import AnnualReport


def report_document(report: AnnualReport) -> SearchDocument | None:
    if report.status != "published":
        return None
    body = "\n".join([report.overview or "", report.problems or "", report.other_matters or ""])
    return SearchDocument(plugin="disclosure", kind="annual_report", id=report.id, tenant_id=report.tenant_id,
                          title=report.title, body=body,
                          url=url_path_for("disclosure.report", tenant=report.tenant, report_id=report.id),
                          published_at=report.published_at, extra="政府信息公开工作年度报告",
                          badge=f"第 {report.version} 版（更正）" if report.version > 1 else "")


def sources() -> list[SearchSource]:
    return [SearchSource(plugin="disclosure", kind="annual_report", label="政府信息公开年报", model=AnnualReport,
                         document=report_document,
                         candidates=lambda: select(AnnualReport).where(AnnualReport.status == "published"),
                         watch=("status", "overview", "problems", "other_matters"))]
