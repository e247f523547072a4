"""The office's pages: open applications on the statutory clock, registration, handling, the
answer and its letter, delivery."""
from __future__ import annotations

from flask import abort, Blueprint, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from core.plugin_api import (ActionForm, attachment_headers, audit, Calendar, china_today, db, DomainError, get_or_404,
                             has_permission, Permission, pdf_download, requires, run_button, run_form, save_uploads)
from plugins.applications import archive, clock, letters, privacy, services
from plugins.applications.admin_forms import (AnswerForm, CorrectedForm, CorrectionForm, DeliveryForm, ExtendForm,
                                              LetterForm, ReceiptForm, RegisterForm, ReturnForm, SettingsForm,
                                              ThirdPartyEndForm, ThirdPartyStartForm)
from plugins.applications.models import (ANSWER_LABELS, APPLICANT_LABELS, Application, CHANNEL_LABELS, DELIVERY_LABELS,
                                         FORM_LABELS, ID_TYPE_LABELS, OPEN_STATUSES, STATUS_LABELS)

bp = Blueprint("applications_admin", __name__, template_folder="templates")


def office_dashboard(tenant) -> dict:
    """The dashboard box: open, due within 5 working days, overdue (with the units below)."""
    return {"counts": services.office_counts(current_user, tenant), "subtree": tenant.kind == "district"}


# --- the list ----------------------------------------------------------------------------------

@bp.get("/")
@requires(Permission.CONTENT_VIEW)
def index():
    status = request.args.get("status") or ""
    if status not in STATUS_LABELS:
        status = ""
    urgency = request.args.get("urgency") or ""
    if urgency not in services.URGENCY_LABELS:
        urgency = ""
    descending = request.args.get("sort") == "-due"
    # The open applications are loaded once: the counts come from them, and so does the list
    # unless it asks for a closed state.
    running = services.office_rows(current_user, g.tenant, descending=descending)
    if status and status not in OPEN_STATUSES:
        rows = services.office_rows(current_user, g.tenant, status=status, descending=descending)
    else:
        rows = [r for r in running if not status or r.status == status]
    if urgency:
        rows = [r for r in rows if r.urgency == urgency]
    return render_template("applications/admin_index.html", tenant=g.tenant, rows=rows, status=status,
                           urgency=urgency, descending=descending, status_labels=STATUS_LABELS,
                           open_statuses=OPEN_STATUSES, urgency_labels=services.URGENCY_LABELS,
                           channel_labels=CHANNEL_LABELS, counts=services.counts_of(running),
                           show_units=len({r.tenant.id for r in rows}) > 1 or g.tenant.kind == "district",
                           can_edit=has_permission(current_user, Permission.CONTENT_EDIT, g.tenant))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def register():
    form = RegisterForm()
    if request.method == "GET":
        form.received_on.data = china_today()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.register(current_user, g.tenant, form.application_data()),
                        message=lambda a: f"已登记申请，查询码 {a.code}。",
                        then=lambda a: url_for("applications_admin.application", application_id=a.id))
        if done:
            return done
    return render_template("applications/admin_register.html", tenant=g.tenant, form=form)


# --- one application: its file and its steps ----------------------------------------------------

def _forms(application: Application, posted: str | None = None, form=None) -> dict:
    """Every step's form for the page; the one just posted (refused) keeps what was typed."""
    today = china_today()
    letter = letters.current_letter(application)
    made = {
        "receipt": lambda: ReceiptForm(formdata=None, received_on=today),
        "correction": lambda: CorrectionForm(formdata=None),
        "corrected": lambda: CorrectedForm(formdata=None, corrected_on=today),
        "third_party": lambda: ThirdPartyStartForm(formdata=None, third_party_from=today),
        "third_party_end": lambda: ThirdPartyEndForm(formdata=None, third_party_until=today),
        "extend": lambda: ExtendForm(formdata=None),
        "answer": lambda: _answer_form(application),
        "letter": lambda: LetterForm(formdata=None, body=letter.body if letter else ""),
        "return": lambda: ReturnForm(formdata=None),
        "delivery": lambda: DeliveryForm(formdata=None, delivered_by=application.delivery, delivered_on=today),
    }
    forms = {name: (form if name == posted else make()) for name, make in made.items()}
    forms["action"] = ActionForm(formdata=None)
    return forms


def _answer_form(application: Application) -> AnswerForm:
    form = AnswerForm(formdata=None, answer=application.answer, answer_basis=application.answer_basis,
                      answer_explanation=application.answer_explanation)
    if application.answer_reason:
        group = "withhold" if application.answer == "partial" else application.answer
        form.answer_reason.data = f"{group}:{application.answer_reason}"
    return form


def _page(application: Application, posted: str | None = None, form=None):
    tenant = application.tenant
    unmasked = privacy.unmasked_for(current_user, application, "办理页面")
    cal, today = Calendar(), china_today()
    letter = letters.current_letter(application)
    pdf = letters.pdf_attachment(letter) if letter else None
    html = render_template(
        "applications/admin_application.html", tenant=tenant, a=application, forms=_forms(application, posted, form),
        person=privacy.applicant(application, unmasked), unmasked=unmasked,
        letter=letter, pdf=pdf, left=clock.workdays_left(application, today, cal) if application.is_open else None,
        urgency=clock.urgency(application, today, cal) if application.is_open else "",
        urgency_labels=services.URGENCY_LABELS, correction_ends=clock.correction_window_ends(application, cal),
        provisional=bool(application.due_on and cal.is_provisional(application.due_on)),
        labels={"channel": CHANNEL_LABELS, "id_type": ID_TYPE_LABELS, "form": FORM_LABELS, "delivery": DELIVERY_LABELS,
                "applicant": APPLICANT_LABELS, "answer": ANSWER_LABELS},
        can_edit=has_permission(current_user, Permission.CONTENT_EDIT, tenant),
        can_review=has_permission(current_user, Permission.CONTENT_PUBLISH, tenant),
        can_approve=letter is not None and letters.may_approve(current_user, letter),
        events=application.events)
    db.session.commit()          # the audit entry of an unmasked view (a refused step was rolled back)
    return html


@bp.get("/<int:application_id>")
@requires(Permission.CONTENT_VIEW)
def application(application_id: int):
    return _page(get_or_404(Application, application_id))


def _archive_export(application: Application, kind: str) -> bool:
    """The export in the audit log, and whether it holds the applicant unmasked (then said so)."""
    unmasked = privacy.may_see_applicant(current_user, application.tenant)
    audit.record("applications.archive_export", target=application,
                 summary=f"导出申请 {application.code} 的档案（{kind}，" + ("含申请人完整信息" if unmasked else "申请人信息已脱敏") + "）")
    db.session.commit()
    return unmasked


@bp.get("/<int:application_id>/archive.pdf")
@requires(Permission.CONTENT_VIEW)
def archive_pdf(application_id: int):
    """The whole file as one PDF (归档)."""
    application = get_or_404(Application, application_id)
    unmasked = _archive_export(application, "PDF")
    return pdf_download(archive.archive_pdf(application, unmasked), f"政府信息公开申请档案-{application.code}.pdf",
                        f"application-{application.code}.pdf")


@bp.get("/<int:application_id>/archive.zip")
@requires(Permission.CONTENT_VIEW)
def archive_zip(application_id: int):
    """The file, the signed letters and the information provided, in one zip."""
    application = get_or_404(Application, application_id)
    unmasked = _archive_export(application, "ZIP")
    response = make_response(archive.archive_zip(application, unmasked))
    response.mimetype = "application/zip"
    response.headers.update(attachment_headers(f"政府信息公开申请档案-{application.code}.zip", f"application-{application.code}.zip"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _step(application_id: int, name: str, form_class, act, message: str):
    """A step with fields: done and back to the page, or the page again with the refusal."""
    application = get_or_404(Application, application_id)
    form = form_class()
    back = url_for("applications_admin.application", application_id=application.id)
    if form.validate_on_submit():
        done = run_form(form, lambda: act(application, form), message=message, then=back)
        if done:
            return done
    elif "csrf_token" in form.errors:
        abort(400)
    return _page(application, name, form)


@bp.post("/<int:application_id>/receipt")
@requires(Permission.CONTENT_EDIT)
def receipt(application_id: int):
    return _step(application_id, "receipt", ReceiptForm,
                 lambda a, f: services.confirm_receipt(current_user, a, f.received_on.data), "已确认收到申请，答复期限已计算。")


@bp.post("/<int:application_id>/correction")
@requires(Permission.CONTENT_EDIT)
def correction(application_id: int):
    return _step(application_id, "correction", CorrectionForm,
                 lambda a, f: services.ask_correction(current_user, a, f.correction_note.data, f.correction_deadline.data),
                 "已要求补正，答复期限中止。")


@bp.post("/<int:application_id>/corrected")
@requires(Permission.CONTENT_EDIT)
def corrected(application_id: int):
    return _step(application_id, "corrected", CorrectedForm,
                 lambda a, f: services.receive_correction(current_user, a, f.corrected_on.data),
                 "已登记收到补正，答复期限重新计算。")


@bp.post("/<int:application_id>/lapse")
@requires(Permission.CONTENT_EDIT)
def lapse(application_id: int):
    application = get_or_404(Application, application_id)

    def act():
        services.lapse_uncorrected(current_user, application)
        return "申请人逾期未补正，已按视为放弃申请办结。"
    return run_button(act, then=url_for("applications_admin.application", application_id=application.id))


@bp.post("/<int:application_id>/third-party")
@requires(Permission.CONTENT_EDIT)
def third_party(application_id: int):
    return _step(application_id, "third_party", ThirdPartyStartForm,
                 lambda a, f: services.start_third_party(current_user, a, f.third_party_from.data),
                 "已登记征求第三方意见，期间不计入答复期限。")


@bp.post("/<int:application_id>/third-party/end")
@requires(Permission.CONTENT_EDIT)
def third_party_end(application_id: int):
    return _step(application_id, "third_party_end", ThirdPartyEndForm,
                 lambda a, f: services.end_third_party(current_user, a, f.third_party_until.data),
                 "已登记第三方意见，答复期限已顺延。")


@bp.post("/<int:application_id>/extend")
@requires(Permission.CONTENT_EDIT)
def extend(application_id: int):
    return _step(application_id, "extend", ExtendForm,
                 lambda a, f: services.extend(current_user, a, f.days.data.strip(), f.reason.data, f.approved_by.data),
                 "已延长答复期限，请告知申请人。")


@bp.post("/<int:application_id>/answer")
@requires(Permission.CONTENT_EDIT)
def answer(application_id: int):
    return _step(application_id, "answer", AnswerForm,
                 lambda a, f: services.set_answer(current_user, a, f.answer_data()), "已保存答复决定，可以起草答复告知书。")


# --- the letter ---------------------------------------------------------------------------------

def _back(application_id: int, anchor: str = "letter") -> str:
    return url_for("applications_admin.application", application_id=application_id) + f"#{anchor}"


@bp.post("/<int:application_id>/letter/draft")
@requires(Permission.CONTENT_EDIT)
def letter_draft(application_id: int):
    application = get_or_404(Application, application_id)

    def act():
        letters.draft(current_user, application)
        return "已按答复类型的模板起草答复告知书，请核对修改后提交审核。"
    return run_button(act, then=_back(application.id))


@bp.post("/<int:application_id>/letter")
@requires(Permission.CONTENT_EDIT)
def letter_save(application_id: int):
    application = get_or_404(Application, application_id)
    letter = letters.current_letter(application)
    if letter is None:
        return redirect(_back(application.id))
    form = LetterForm()
    if form.validate_on_submit():
        removed = set(request.form.getlist("remove_attachment"))
        keep = [link.attachment_id for link in letter.attachment_links if str(link.attachment_id) not in removed]

        def act():
            letters.revise(current_user, letter, form.body.data, keep + save_uploads(form.files.name))
            if request.form.get("then") == "submit":
                letters.submit(current_user, letter)
                return "已提交审核，请另一位审核人员签发。"
            return "已保存答复告知书。"
        done = run_form(form, act, message=lambda text: text, then=_back(application.id))
        if done:
            return done
    return _page(application, "letter", form)


@bp.post("/<int:application_id>/letter/submit")
@requires(Permission.CONTENT_EDIT)
def letter_submit(application_id: int):
    application = get_or_404(Application, application_id)

    def act():
        letter = letters.current_letter(application)
        if letter is None:
            raise DomainError("请先起草答复告知书。")
        letters.submit(current_user, letter)
        return "已提交审核，请另一位审核人员签发。"
    return run_button(act, then=_back(application.id))


@bp.post("/<int:application_id>/letter/approve")
@requires(Permission.CONTENT_VIEW)
def letter_approve(application_id: int):
    application = get_or_404(Application, application_id)

    def act():
        letter = letters.current_letter(application)
        if letter is None:
            raise DomainError("请先起草答复告知书。")
        letters.approve(current_user, letter)
        return f"已审核签发，文号 {letter.doc_no}；答复告知书 PDF 已生成，请登记送达。"
    return run_button(act, then=_back(application.id))


@bp.post("/<int:application_id>/letter/return")
@requires(Permission.CONTENT_PUBLISH)
def letter_return(application_id: int):
    application = get_or_404(Application, application_id)
    form = ReturnForm()

    def act():
        letter = letters.current_letter(application)
        if letter is None:
            raise DomainError("没有待审核的答复告知书。")
        letters.return_to_draft(current_user, letter, form.note.data)
        return "已退回修改。"
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(application, "return", form)
    return run_button(act, then=_back(application.id), form=form)


@bp.post("/<int:application_id>/delivery")
@requires(Permission.CONTENT_EDIT)
def delivery(application_id: int):
    return _step(application_id, "delivery", DeliveryForm,
                 lambda a, f: services.record_delivery(current_user, a, f.delivered_by.data, f.delivered_on.data),
                 "已登记送达。")


@bp.post("/<int:application_id>/close")
@requires(Permission.CONTENT_EDIT)
def close(application_id: int):
    application = get_or_404(Application, application_id)

    def act():
        services.close(current_user, application)
        return "已办结归档。"
    return run_button(act, then=_back(application.id, "file"))


# --- settings -----------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def settings():
    row = services.settings_for(g.tenant)
    form = SettingsForm(obj=row if request.method == "GET" else None)
    if form.validate_on_submit():
        done = run_form(form, lambda: services.update_settings(current_user, g.tenant, form.data),
                        message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("applications_admin.settings"))
        if done:
            return done
    reconsideration, court = services.remedy_bodies(g.tenant)
    return render_template("applications/admin_settings.html", tenant=g.tenant, form=form,
                           reconsideration=reconsideration, court=court,
                           prefix=row.doc_no_prefix or services.default_doc_no_prefix(g.tenant))


# The statistics, fees and appeals pages hang from the same blueprint.
from plugins.applications import admin_stats  # noqa: E402,F401
