"""The office's statistics (the annual report's section 三, as a page and .xlsx), fees and appeals
(行政复议, 行政诉讼: the report's section 四)."""
from __future__ import annotations

from flask import abort, g, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from core.plugin_api import (ActionForm, append_rows, china_today, choices, db, get_or_404, has_permission, new_workbook, Permission,
                             REQUIRED, requires, run_form, xlsx_download)
from plugins.applications import appeals, fees, stats
from plugins.applications.admin import bp
from plugins.applications.models import Appeal, APPEAL_LABELS, APPEAL_RESULT_LABELS, Application


# --- the annual report's tables ------------------------------------------------------------------

def _years() -> list[int]:
    """From this year back to the first application received (at least last year)."""
    this_year = china_today().year
    earliest = db.session.scalar(select(func.min(Application.received_on)))
    first = min(earliest.year if earliest else this_year, this_year - 1)
    return list(range(this_year, first - 1, -1))


def _year_arg() -> int:
    year = request.args.get("year", type=int) or china_today().year - 1   # the year whose report is due
    if not 2000 <= year <= china_today().year:
        abort(404)
    return year


@bp.get("/stats")
@requires(Permission.CONTENT_VIEW)
def stats_page():
    year = _year_arg()
    return render_template("applications/stats.html", tenant=g.tenant, year=year, years=_years(),
                           stats=stats.compute(g.tenant, year), appeal_groups=stats.APPEAL_GROUPS,
                           appeal_results=stats.APPEAL_RESULTS + ("total",), appeal_labels=stats.APPEAL_RESULT_LABELS)


@bp.get("/stats.xlsx")
@requires(Permission.CONTENT_VIEW)
def stats_xlsx():
    year = _year_arg()
    table = stats.compute(g.tenant, year)
    wb = new_workbook()
    sheet = wb.create_sheet("三、收到和处理政府信息公开申请情况")
    append_rows(sheet, [[f"{g.tenant.name} {year} 年政府信息公开工作年度报告：三、收到和处理政府信息公开申请情况"], []])
    append_rows(sheet, stats.section_three_rows(table))
    append_rows(sheet, [[], [table.check_text]])
    if table.anomalies:
        append_rows(sheet, [["日期有误的申请（查询码）", *table.anomalies]])
    append_rows(wb.create_sheet("四、行政复议和行政诉讼情况"), stats.section_four_rows(table))
    return xlsx_download(wb, f"{g.tenant.name}{year}年依申请公开统计.xlsx", f"applications-{year}.xlsx")


# --- fees ----------------------------------------------------------------------------------------

class FeeNoticeForm(FlaskForm):
    basis = SelectField("计收方式", choices=choices(fees.BASIS_LABELS.items()), validators=[DataRequired(REQUIRED)])
    pages = IntegerField("页数（按量计收时填写）", validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    deadline = DateField("缴费期限（不填为 20 个工作日）", validators=[Optional()])


class FeePaymentForm(FlaskForm):
    paid_on = DateField("缴费日期", validators=[DataRequired(REQUIRED)])


class FeeWaiverForm(FlaskForm):
    reason = TextAreaField("减免理由", validators=[DataRequired(REQUIRED), Length(max=1000)])


def _fee_page(application: Application, forms: dict | None = None):
    forms = {"notice": FeeNoticeForm(prefix="notice"), "payment": FeePaymentForm(prefix="payment"),
             "waiver": FeeWaiverForm(prefix="waiver"), "lapse": ActionForm()} | (forms or {})
    can_edit = has_permission(current_user, Permission.CONTENT_EDIT, g.tenant)
    owed = bool(application.fee_basis) and application.fee_paid_on is None and not application.fee_waived
    return render_template("applications/fees.html", tenant=g.tenant, a=application, forms=forms, can_edit=can_edit,
                           owed=owed, basis_labels=fees.BASIS_LABELS, today=china_today(),
                           ordinal=fees.monthly_ordinal(application) if application.received_on else None,
                           count_fee=fees.count_fee)


@bp.get("/<int:application_id>/fees")
@requires(Permission.CONTENT_VIEW)
def fee_page(application_id: int):
    return _fee_page(get_or_404(Application, application_id))


def _fee_step(application_id: int, name: str, form, act, message: str):
    application = get_or_404(Application, application_id)
    back = url_for("applications_admin.fee_page", application_id=application.id)
    if form.validate_on_submit():
        done = run_form(form, lambda: act(application, form), message=message, then=back)
        if done:
            return done
    elif "csrf_token" in form.errors:
        abort(400)
    return _fee_page(application, {name: form})


@bp.post("/<int:application_id>/fees/notice")
@requires(Permission.CONTENT_EDIT)
def fee_notice(application_id: int):
    return _fee_step(application_id, "notice", FeeNoticeForm(prefix="notice"),
                     lambda a, f: fees.notify_fee(current_user, a, f.basis.data, f.pages.data, f.deadline.data),
                     "已发出收费通知。收费通知至缴费期间不计入答复期限。")


@bp.post("/<int:application_id>/fees/payment")
@requires(Permission.CONTENT_EDIT)
def fee_payment(application_id: int):
    return _fee_step(application_id, "payment", FeePaymentForm(prefix="payment"),
                     lambda a, f: fees.record_payment(current_user, a, f.paid_on.data), "已登记缴费，答复期限已顺延。")


@bp.post("/<int:application_id>/fees/waiver")
@requires(Permission.CONTENT_EDIT)
def fee_waiver(application_id: int):
    return _fee_step(application_id, "waiver", FeeWaiverForm(prefix="waiver"),
                     lambda a, f: fees.waive(current_user, a, f.reason.data), "已减免信息处理费。")


@bp.post("/<int:application_id>/fees/lapse")
@requires(Permission.CONTENT_EDIT)
def fee_lapse(application_id: int):
    return _fee_step(application_id, "lapse", ActionForm(), lambda a, f: fees.lapse_unpaid(current_user, a),
                     "申请人逾期未缴费，申请已按“其他处理”办结。")


# --- reconsideration and litigation ----------------------------------------------------------------

class AppealForm(FlaskForm):
    kind = SelectField("类型", choices=choices(APPEAL_LABELS.items()), validators=[Optional()])
    filed_on = DateField("提起日期", validators=[DataRequired(REQUIRED)])
    after_reconsideration = BooleanField("复议后起诉（行政诉讼）")
    result = SelectField("审理结果", choices=choices(APPEAL_RESULT_LABELS.items()), validators=[DataRequired(REQUIRED)])
    decided_on = DateField("审结日期（尚未审结的不填）", validators=[Optional()])
    note = TextAreaField("备注", validators=[Optional(), Length(max=2000)])

    def data_dict(self) -> dict:
        return {"kind": self.kind.data, "filed_on": self.filed_on.data, "result": self.result.data,
                "decided_on": self.decided_on.data, "after_reconsideration": self.after_reconsideration.data,
                "note": self.note.data}


def _appeals_page(application: Application, new_form=None, edit: tuple[int, AppealForm] | None = None):
    forms = {}
    for appeal in application.appeals:
        form = edit[1] if edit and edit[0] == appeal.id else AppealForm(prefix=f"appeal{appeal.id}", obj=appeal)
        forms[appeal.id] = form
    return render_template("applications/appeals.html", tenant=g.tenant, a=application, new_form=new_form or AppealForm(prefix="new"),
                           forms=forms, kinds=APPEAL_LABELS, results=APPEAL_RESULT_LABELS,
                           can_edit=has_permission(current_user, Permission.CONTENT_EDIT, g.tenant))


@bp.get("/<int:application_id>/appeals")
@requires(Permission.CONTENT_VIEW)
def appeals_page(application_id: int):
    return _appeals_page(get_or_404(Application, application_id))


@bp.post("/<int:application_id>/appeals")
@requires(Permission.CONTENT_EDIT)
def appeal_new(application_id: int):
    application = get_or_404(Application, application_id)
    form = AppealForm(prefix="new")
    back = url_for("applications_admin.appeals_page", application_id=application.id)
    if form.validate_on_submit():
        done = run_form(form, lambda: appeals.record_appeal(current_user, application, form.data_dict()),
                        message="已登记。", then=back)
        if done:
            return done
    elif "csrf_token" in form.errors:
        abort(400)
    return _appeals_page(application, new_form=form)


@bp.post("/<int:application_id>/appeals/update")
@requires(Permission.CONTENT_EDIT)
def appeal_update(application_id: int):
    application = get_or_404(Application, application_id)
    appeal = get_or_404(Appeal, request.form.get("appeal_id", type=int) or 0)
    if appeal.application_id != application.id:
        abort(404)
    form = AppealForm(prefix=f"appeal{appeal.id}")
    back = url_for("applications_admin.appeals_page", application_id=application.id)
    if form.validate_on_submit():
        done = run_form(form, lambda: appeals.update_appeal(current_user, appeal, form.data_dict()),
                        message="已更新。", then=back)
        if done:
            return done
    elif "csrf_token" in form.errors:
        abort(400)
    return _appeals_page(application, edit=(appeal.id, form))
