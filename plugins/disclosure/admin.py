"""The office's pages: the guide's editor, the list of a tenant's annual reports, a report's
draft (edit, refresh the tables, review, publish, correct), and the district's view of its towns."""
from __future__ import annotations

from flask import abort, Blueprint, g, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.plugin_api import (across_tenants, ActionForm, china_today, db, get_or_404, has_permission, pdf_download, Permission,
                             requires, run_button, run_form,
                             xlsx_download)
from plugins.disclosure import guide as guides
from plugins.disclosure import outputs, services
from plugins.disclosure.admin_forms import CorrectionForm, GenerateForm, GuideForm, ReportForm
from plugins.disclosure.models import (AnnualReport, APPEAL_GROUPS, APPEAL_RESULTS, DECISION_ROWS, DOC_COLUMNS, DOC_ROWS,
                                       GUIDE_SECTIONS)
from plugins.disclosure.views import report_context

bp = Blueprint("disclosure_admin", __name__, template_folder="templates")


def _years() -> list[int]:
    this_year = china_today().year
    return list(range(this_year, this_year - 6, -1))


# --- the guide ---------------------------------------------------------------------------------

@bp.route("/guide", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def guide():
    form = GuideForm(data=guides.form_defaults(g.tenant) if request.method == "GET" else None)
    if form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items()}
        done = run_form(form, lambda: guides.save(current_user, g.tenant, data),
                        message=lambda row: f"已保存为第 {row.version} 版，公众看到的是新版本。" if row else "内容没有改动，未生成新版本。",
                        then=url_for("disclosure_admin.guide"))
        if done:
            return done
    return render_template("disclosure/admin_guide.html", tenant=g.tenant, form=form, sections=GUIDE_SECTIONS,
                           versions=guides.versions(g.tenant), contact=guides.contact(g.tenant, form.fax.data or ""))


# --- the reports -------------------------------------------------------------------------------

def _list_page(form: GenerateForm | None = None):
    if form is None:
        form = GenerateForm(formdata=None, year=services.report_year(china_today()))
    form.year.choices = [(y, f"{y} 年") for y in _years()]
    return render_template("disclosure/admin_reports.html", tenant=g.tenant, rows=services.reports_of(g.tenant),
                           form=form, due=lambda year: services.due_on(g.tenant, year), today=china_today(),
                           can_edit=has_permission(current_user, Permission.CONTENT_EDIT, g.tenant),
                           can_manage=has_permission(current_user, Permission.TENANT_MANAGE, g.tenant))


@bp.get("/")
@requires(Permission.CONTENT_VIEW)
def reports():
    return _list_page()


@bp.post("/generate")
@requires(Permission.CONTENT_EDIT)
def generate():
    form = GenerateForm()
    form.year.choices = [(y, f"{y} 年") for y in _years()]
    if form.validate_on_submit():
        done = run_form(form, lambda: services.generate(current_user, g.tenant, form.year.data),
                        message=lambda r: f"已生成 {r.year} 年年度报告草稿：请核实第一、五、六部分的文字，"
                                          "填写第二部分中由本机关统计的数字。",
                        then=lambda r: url_for("disclosure_admin.report", report_id=r.id))
        if done:
            return done
    elif "csrf_token" in form.errors:
        abort(400)
    return _list_page(form), 422


def _report_page(report: AnnualReport, form: ReportForm | None = None, correction: CorrectionForm | None = None):
    if form is None:
        proactive = report.proactive or {}
        data = {"overview": report.overview, "problems": report.problems, "other_matters": report.other_matters,
                "fees_wan": services.wan(report.fees_yuan)}
        for row, _ in DOC_ROWS:
            for column, _ in DOC_COLUMNS:
                data[f"{row}_{column}"] = str((proactive.get(row) or {}).get(column, 0))
        for key, _, _ in DECISION_ROWS:
            data[key] = str(proactive.get(key, 0))
        for group, _ in APPEAL_GROUPS:
            for result, _ in APPEAL_RESULTS:
                data[f"extra_{group}_{result}"] = str(((report.appeals_extra or {}).get(group) or {}).get(result, 0))
        form = ReportForm(formdata=None, data=data)
    return render_template(
        "disclosure/admin_report.html", tenant=report.tenant, form=form, action=ActionForm(formdata=None),
        correction=correction or CorrectionForm(formdata=None), versions=services.versions_of(report),
        due=services.due_on(report.tenant, report.year), today=china_today(),
        can_edit=services.may_edit(current_user, report), can_review=services.may_review(current_user, report),
        can_publish=services.may_publish(current_user, report),
        can_reopen=report.status == "reviewed" and (has_permission(current_user, Permission.CONTENT_EDIT, report.tenant)
                                                    or has_permission(current_user, Permission.CONTENT_PUBLISH, report.tenant)),
        can_correct=report.status == "published" and has_permission(current_user, Permission.CONTENT_EDIT, report.tenant),
        wrote=services._wrote(current_user, report), **report_context(report))


@bp.get("/<int:report_id>")
@requires(Permission.CONTENT_VIEW)
def report(report_id: int):
    return _report_page(get_or_404(AnnualReport, report_id))


@bp.post("/<int:report_id>")
@requires(Permission.CONTENT_EDIT)
def report_save(report_id: int):
    report = get_or_404(AnnualReport, report_id)
    form = ReportForm()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.update(current_user, report, form.report_data(request.form)),
                        message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("disclosure_admin.report", report_id=report.id))
        if done:
            return done
    elif "csrf_token" in form.errors:
        abort(400)
    return _report_page(report, form=form), 422


def _button(report_id: int, act):
    report = get_or_404(AnnualReport, report_id)
    back = url_for("disclosure_admin.report", report_id=report.id)
    return run_button(lambda: act(report), then=back, back=back)


@bp.post("/<int:report_id>/refresh")
@requires(Permission.CONTENT_EDIT)
def refresh(report_id: int):
    return _button(report_id, lambda r: services.refresh(current_user, r))


@bp.post("/<int:report_id>/review")
@requires(Permission.CONTENT_PUBLISH)
def review(report_id: int):
    return _button(report_id, lambda r: services.review(current_user, r))


@bp.post("/<int:report_id>/reopen")
@requires(Permission.CONTENT_VIEW)
def reopen(report_id: int):
    return _button(report_id, lambda r: services.reopen(current_user, r))


@bp.post("/<int:report_id>/publish")
@requires(Permission.CONTENT_PUBLISH)
def publish(report_id: int):
    return _button(report_id, lambda r: services.publish(current_user, r))


@bp.post("/<int:report_id>/correct")
@requires(Permission.CONTENT_EDIT)
def correct(report_id: int):
    report = get_or_404(AnnualReport, report_id)
    form = CorrectionForm()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.correct(current_user, report, form.note.data),
                        message=lambda r: f"已生成第 {r.version} 版更正稿；发布前公众仍看到第 {report.version} 版。",
                        then=lambda r: url_for("disclosure_admin.report", report_id=r.id))
        if done:
            return done
    elif "csrf_token" in form.errors:
        abort(400)
    return _report_page(report, correction=form), 422


@bp.get("/<int:report_id>/preview.pdf")
@requires(Permission.CONTENT_VIEW)
def preview_pdf(report_id: int):
    report = get_or_404(AnnualReport, report_id)
    return pdf_download(outputs.report_pdf(report), f"{report.title}（第{report.version}版，{report.status_label}）.pdf",
                        f"annual-report-{report.year}-v{report.version}-{report.status}.pdf")


# --- the district's view of its towns ------------------------------------------------------------

def _overview(year: int) -> tuple[list[dict], dict]:
    district = g.tenant
    units = services.units_of(district)
    ids = [t.id for t in units]
    today = china_today()
    with across_tenants(ids, reason="年报汇总：县（区）查看所属乡镇（街道）年度报告发布情况"):
        rows = list(db.session.scalars(select(AnnualReport).where(
            AnnualReport.tenant_id.in_(ids), AnnualReport.year == year)))
        lines = [services.unit_status(t, year, rows, today) for t in units]
        totals = services.county_totals([line["published"] for line in lines if line["published"]])
    return lines, totals


def _overview_year() -> int:
    year = request.args.get("year", type=int) or services.report_year(china_today())
    if not services.FIRST_YEAR <= year <= china_today().year:
        abort(404)
    return year


@bp.get("/overview")
@requires(Permission.CONTENT_VIEW)
def overview():
    if g.tenant.kind != "district":
        abort(404)
    year = _overview_year()
    lines, totals = _overview(year)
    return render_template("disclosure/admin_overview.html", tenant=g.tenant, year=year, years=_years(), lines=lines,
                           totals=totals, today=china_today(), **_totals_context(totals))


def _totals_context(totals: dict) -> dict:
    from plugins.disclosure import tables
    return {"tables": tables, "appeals": tables.appeals_total(appeals=totals["appeals"], extra={}),
            "doc_rows": DOC_ROWS, "doc_columns": DOC_COLUMNS, "decision_rows": DECISION_ROWS,
            "appeal_groups": APPEAL_GROUPS, "appeal_results": APPEAL_RESULTS + (("total", "总计"),),
            "columns": tables.COLUMNS, "fee_wan": services.wan(totals["fees_yuan"])}


@bp.get("/overview.xlsx")
@requires(Permission.CONTENT_VIEW)
def overview_xlsx():
    if g.tenant.kind != "district":
        abort(404)
    year = _overview_year()
    lines, totals = _overview(year)
    return xlsx_download(outputs.totals_workbook(g.tenant, year, totals, lines),
                         f"{g.tenant.name}{year}年政府信息公开工作年度报告汇总.xlsx", f"annual-reports-{year}.xlsx")
