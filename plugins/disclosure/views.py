"""The public's pages: the 政府信息公开专栏 in the national order, the 公开指南 (current and past
versions), the published annual reports (page, PDF, .xlsx) and the county's 政策文件库. Drafts are
never shown: 404."""
from __future__ import annotations

from flask import abort, Blueprint, current_app, g, redirect, render_template, request, url_for

from core.plugin_api import collect, get_or_404, pdf_download, xlsx_download
from plugins.disclosure import guide as guides
from plugins.disclosure import outputs, services, tables
from plugins.disclosure import policies as library
from plugins.disclosure.models import AnnualReport, APPEAL_GROUPS, APPEAL_RESULTS, DECISION_ROWS, DOC_COLUMNS, DOC_ROWS

bp = Blueprint("disclosure", __name__, template_folder="templates")


def column_parts(tenant) -> list:
    """The parts of the column from every plugin enabled for the tenant, in the national order."""
    registry = current_app.extensions["cms"]
    parts = collect(registry.hook_for(tenant, "disclosure_column_parts"), tenant=tenant)
    return sorted(parts, key=lambda p: (p.order, p.title))


@bp.get("/")
def index():
    channels = collect(current_app.extensions["cms"].hook.application_channels, tenant=g.tenant)
    return render_template("disclosure/index.html", tenant=g.tenant, parts=column_parts(g.tenant),
                           channels=sorted(channels, key=lambda c: (c.order, c.title)),
                           latest=services.published_reports(g.tenant)[:1])


@bp.get("/guide")
def guide():
    channels = collect(current_app.extensions["cms"].hook.application_channels, tenant=g.tenant)
    return render_template("disclosure/guide.html", tenant=g.tenant, page=guides.shown(g.tenant),
                           versions=guides.versions(g.tenant), channels=channels, old=False)


@bp.get("/guide/v<int:number>")
def guide_version(number: int):
    row = guides.version(g.tenant, number)
    if row is None:
        abort(404)
    return render_template("disclosure/guide.html", tenant=g.tenant, page=guides.shown(g.tenant, row),
                           versions=guides.versions(g.tenant), channels=[], old=True)


@bp.get("/reports/")
def reports():
    return render_template("disclosure/reports.html", tenant=g.tenant, reports=services.published_reports(g.tenant))


def public_report(report_id: int) -> AnnualReport:
    report = get_or_404(AnnualReport, report_id)
    if not report.is_public:
        abort(404)
    return report


def report_context(report: AnnualReport) -> dict:
    return {"r": report, "tables": tables, "appeals": tables.appeals_total(report), "check": services.check(report),
            "doc_rows": DOC_ROWS, "doc_columns": DOC_COLUMNS, "decision_rows": DECISION_ROWS,
            "appeal_groups": APPEAL_GROUPS, "appeal_results": APPEAL_RESULTS + (("total", "总计"),),
            "columns": tables.COLUMNS, "fee_wan": services.wan(report.fees_yuan)}


@bp.get("/reports/<int:report_id>")
def report(report_id: int):
    report = public_report(report_id)
    return render_template("disclosure/report.html", tenant=g.tenant, versions=services.public_versions(report),
                           **report_context(report))


@bp.get("/reports/<int:report_id>.pdf")
def report_pdf(report_id: int):
    report = public_report(report_id)
    return pdf_download(outputs.report_pdf(report), f"{report.title}（第{report.version}版）.pdf",
                        f"annual-report-{report.year}-v{report.version}.pdf")


@bp.get("/reports/<int:report_id>.xlsx")
def report_xlsx(report_id: int):
    report = public_report(report_id)
    return xlsx_download(outputs.report_workbook(report), f"{report.title}（第{report.version}版）表格.xlsx",
                         f"annual-report-{report.year}-v{report.version}.xlsx")


def library_unit(tenant):
    """(the district whose library serves `tenant`, the unit it is filtered to or None); 404 when the
    district does not have this plugin on."""
    district = tenant.root
    if district.id != tenant.id and not current_app.extensions["cms"].is_enabled(district, "disclosure"):
        abort(404)
    return district, (None if district.id == tenant.id else tenant)


@bp.get("/policies/")
def policies():
    """The 政策文件库. A town's address leads to the county's library filtered to the town."""
    district, unit = library_unit(g.tenant)
    if unit is not None:
        args = {k: v for k, v in request.args.items() if k in ("q", "issuer", "year", "type", "validity", "topic")}
        return redirect(url_for("disclosure.policies", tenant=district, **args, unit=unit.slug))
    query = library.LibraryQuery.from_args(request.args)
    page = request.args.get("page", 1, type=int) or 1
    result = library.search(district, query, min(max(page, 1), 100_000))
    return render_template("disclosure/policies.html", tenant=district, query=query, result=result,
                           page=result.page, facets=result.facets, facet_labels=library.FACET_LABELS)
