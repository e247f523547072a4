"""The public's pages: the application form (in the national 政府信息公开申请表 layout), the receipt
with its 查询码, and the status page by code and the phone number's last four digits."""
from __future__ import annotations

import hmac
import os
import re

from flask import (abort, Blueprint, current_app, flash, g, redirect, render_template, request, send_file, session,
                   url_for)

from core.plugin_api import (Attachment, client_address, collect, db, DomainError, limiter, lookup_limit, notify,
                             show_error, storage_path, Tenant, utcnow)
from plugins.applications import clock, services
from plugins.applications.forms import ApplicationForm, StatusForm
from plugins.applications.models import Application, DELIVERY_LABELS, FORM_LABELS, ReplyLetter

bp = Blueprint("applications", __name__, template_folder="templates")

LIMIT_MESSAGE = "提交过于频繁，请稍后再试。"
RECEIPT_KEY = "applications_receipt"     # the code, shown once on the receipt page
PROOF_KEY = "applications_proof"         # a successful status lookup: the letter may be downloaded
PROOF_SECONDS = 30 * 60
NOT_FOUND = "查询码或电话号码后四位不正确，请核对后重试。"


# --- rate limits: the form and the API count against one budget ------------------------------------

def submit_limit_per_address() -> str:
    return (current_app.config.get("APPLICATIONS_LIMIT_PER_ADDRESS") or os.environ.get("APPLICATIONS_LIMIT_PER_ADDRESS")
            or "5 per minute;30 per day")


def submit_limit_per_tenant() -> str:
    return (current_app.config.get("APPLICATIONS_LIMIT_PER_TENANT") or os.environ.get("APPLICATIONS_LIMIT_PER_TENANT")
            or "300 per hour")


def tenant_key() -> str:
    tenant = g.get("tenant")
    return f"tenant:{tenant.id if tenant is not None else 0}"


def searching() -> bool:
    """The form's 查找已公开的信息 button submits nothing: it does not count as an application."""
    return bool(request.form.get("find"))


submit_limits = [
    limiter.shared_limit(submit_limit_per_address, scope="applications-submit-address", key_func=client_address,
                         methods=["POST"], error_message=LIMIT_MESSAGE, exempt_when=searching),
    limiter.shared_limit(submit_limit_per_tenant, scope="applications-submit-tenant", key_func=tenant_key,
                         methods=["POST"], error_message=LIMIT_MESSAGE, exempt_when=searching),
]


def rate_limited(view):
    for decorator in submit_limits:
        view = decorator(view)
    return view


# Looking an application up by its code, by page or API: slows guessing (issue 17).
status_limit = lookup_limit("applications-status", "APPLICATIONS_LIMIT_CODE_LOOKUPS")


# --- what the form and the API share ----------------------------------------------------------------

def submit_public(tenant: Tenant, data: dict) -> Application:
    """An application from the public (form or API): the service checks and normalises it; the
    e-mail receipt, when an address is given, is queued with the same transaction."""
    application = services.submit_online(tenant, data)
    if application.email:
        notify(tenant_id=tenant.id, recipient=application.email, kind="applications.receipt", channel="email",
               subject=f"政府信息公开申请回执（{tenant.name}）", body=receipt_text(tenant, application))
    return application


def receipt_text(tenant: Tenant, application: Application) -> str:
    return (f"您向{tenant.name}提交的政府信息公开申请已收到，查询码：{application.code}。\n"
            f"本机关确认收到申请后，将自收到申请之日起 {clock.REPLY_WORKDAYS} 个工作日内予以答复"
            "（《中华人民共和国政府信息公开条例》第三十三条）。\n"
            f"凭查询码和联系电话的后四位，可以在 {url_for('applications.status', tenant=tenant, _external=True)} "
            "查看办理进度和答复。")


def published_matches(tenant: Tenant, query: str) -> list:
    """Records the tenant has already published whose title or 文号 contains `query` (through the
    lookup_documents hook: the catalog answers, no plugin is imported)."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    hook = current_app.extensions["cms"].hook_for(tenant, "lookup_documents")
    return collect(hook, tenant=tenant, query=query, refs=None)[:10]


def last_four(phone: str | None) -> str:
    digits = re.sub(r"[^0-9]", "", phone or "")
    return digits[-4:] if len(digits) >= 4 else ""


def proven(code: str | None, digits: str | None) -> Application | None:
    """The current tenant's application with this code, if `digits` are its phone's last four;
    None for any mismatch (one answer, whichever part was wrong)."""
    given = re.sub(r"\s", "", normalise_digits(digits or ""))
    application = services.find(code or "")
    expected = last_four(application.phone) if application is not None else ""
    # Compared in constant time, and compared even when nothing was found.
    matches = hmac.compare_digest(expected.encode() or b"-", given.encode() or b"+")
    return application if application is not None and expected and matches else None


def normalise_digits(text: str) -> str:
    """Full-width digits (typed with a Chinese input method) as ASCII."""
    return text.translate({ord("０") + n: ord("0") + n for n in range(10)})


def remember_proof(tenant: Tenant, application: Application) -> None:
    session[PROOF_KEY] = {"tenant": tenant.id, "code": application.code, "at": int(utcnow().timestamp())}


def application_from_proof(tenant: Tenant) -> Application | None:
    proof = session.get(PROOF_KEY)
    if not isinstance(proof, dict) or proof.get("tenant") != tenant.id:
        return None
    if not isinstance(proof.get("at"), int) or utcnow().timestamp() - proof["at"] > PROOF_SECONDS:
        session.pop(PROOF_KEY, None)
        return None
    application = services.find(str(proof.get("code") or ""))
    if application is None or not last_four(application.phone):
        return None        # purged since, or gone
    return application


def approved_letter(application: Application) -> ReplyLetter | None:
    letters = [x for x in application.letters if x.status == "approved" and x.pdf_attachment_id]
    return letters[-1] if letters else None


def receives_applications(tenant: Tenant) -> bool:
    return tenant.kind in services.TENANT_KINDS


# --- the pages --------------------------------------------------------------------------------------

def _render_form(form: ApplicationForm, matches=None, searched: bool = False, status: int = 200):
    return render_template("applications/apply.html", tenant=g.tenant, form=form, matches=matches or [],
                           searched=searched, office=services.settings_for(g.tenant).office_name), status


@bp.route("/", methods=["GET", "POST"])
@rate_limited
def apply():
    form = ApplicationForm()
    if request.method == "GET":
        return _render_form(form)
    if form.website.data:  # the honeypot: people never see this field, robots fill it
        abort(400)
    if request.form.get("find"):
        # Only a search: nothing is checked or saved, everything typed comes back.
        query = form.lookup.data or form.doc_ref.data or ""
        if not query.strip():
            form.lookup.errors = ["请输入要查找的信息的标题或文号中的词语。"]
        return _render_form(form, published_matches(g.tenant, query), searched=bool(query.strip()))
    if form.validate_on_submit():
        try:
            application = submit_public(g.tenant, form.application_data())
        except DomainError as exc:
            if exc.field == "name" and not form.applicant_is_citizen():
                exc.field = "org_name"       # an organisation's name has its own box
            show_error(form, exc)
        else:
            db.session.commit()
            session[RECEIPT_KEY] = {"tenant": g.tenant.id, "code": application.code}
            return redirect(url_for("applications.receipt"))
    return _render_form(form, status=400)


@bp.get("/receipt")
def receipt():
    shown = session.get(RECEIPT_KEY)
    if not isinstance(shown, dict) or shown.get("tenant") != g.tenant.id:
        return redirect(url_for("applications.status"))
    session.pop(RECEIPT_KEY)
    application = services.find(str(shown.get("code") or ""))
    if application is None:
        return redirect(url_for("applications.status"))
    response = current_app.make_response(render_template(
        "applications/receipt.html", tenant=g.tenant, a=application, form_labels=FORM_LABELS,
        delivery_labels=DELIVERY_LABELS, reply_days=clock.REPLY_WORKDAYS,
        office=services.settings_for(g.tenant).office_name))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/status", methods=["GET", "POST"])
@status_limit
def status():
    if request.method == "POST":
        form = StatusForm()
        asked = form.validate_on_submit()
    else:
        # A link with both may look the application up; the token is for the form's own POST.
        form = StatusForm(request.args or None)
        asked = bool(request.args.get("code") or request.args.get("last4"))
        asked = asked and all([form.code.validate(form), form.last4.validate(form)])
    application, failed = None, False
    if asked:
        application = proven(form.code.data, form.last4.data)
        if application is None:
            failed = True
            session.pop(PROOF_KEY, None)
        else:
            remember_proof(g.tenant, application)
    elif request.method == "GET" and not request.args:
        application = application_from_proof(g.tenant)   # back from the letter, or a reload
    letter = approved_letter(application) if application is not None else None
    return render_template("applications/status.html", tenant=g.tenant, form=form, a=application, failed=failed,
                           not_found=NOT_FOUND, letter=letter, form_labels=FORM_LABELS, delivery_labels=DELIVERY_LABELS)


@bp.get("/status/letter")
@status_limit
def letter():
    """The approved 答复告知书, to the applicant who proved the code and digits in this session."""
    application = application_from_proof(g.tenant)
    found = approved_letter(application) if application is not None else None
    item = db.session.get(Attachment, found.pdf_attachment_id) if found is not None else None
    if item is None or item.tenant_id != g.tenant.id:
        flash("请先输入查询码和联系电话的后四位，再下载答复告知书。", "error")
        return redirect(url_for("applications.status"))
    response = send_file(storage_path(item.token), mimetype=item.content_type or "application/pdf",
                         as_attachment=True, download_name=item.filename or f"答复告知书-{application.code}.pdf",
                         conditional=False, max_age=0)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
