"""Applicants' personal data (PIPL): who sees it unmasked, what everyone else sees, and its erasure
once the file's retention has run (第十九条: kept no longer than needed): the applicant's name and
contact details, and the free text of the file (the request as typed, the office's notes), of
applications closed more than APPLICATIONS_RETENTION_YEARS (default 5) years ago. What the
statistics count stays: the applicant's kind, the dates, the answer and its reason."""
from __future__ import annotations

import os

from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.plugin_api import (across_tenants, audit, china_today, db, has_permission, mask_contact, mask_id_number,
                             mask_name, mask_phone, may_see_personal_data, Permission, utcnow)
from plugins.applications.models import Application, ReplyLetter

ERASED_NAME = "（已删除）"
DEFAULT_RETENTION_YEARS = 5
CONTACT_FIELDS = ("id_number", "work_unit", "org_code", "legal_rep", "contact_name", "address", "postcode",
                  "phone", "email")


def retention_years() -> int:
    """APPLICATIONS_RETENTION_YEARS from the configuration or the environment, 5 unless set."""
    setting = current_app.config.get("APPLICATIONS_RETENTION_YEARS") or os.environ.get("APPLICATIONS_RETENTION_YEARS")
    return max(1, int(setting or DEFAULT_RETENTION_YEARS))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:                       # 29 February
        return day.replace(year=day.year - years, day=28)


# The office's free text of a file, erased with the applicant (it may name them or others).
FREE_TEXT_FIELDS = ("description", "doc_ref", "correction_note", "extension_reason", "answer_explanation",
                    "fee_waiver_reason")
# Events whose summary carries a note not kept elsewhere: their summary on erasure.
ERASED_SUMMARIES = {"letter_returned": "答复告知书退回修改。"}


def purge_personal_data(before: date) -> int:
    """Erase the applicants of applications closed before `before` and before the retention period,
    with the file's free text; the letters and the file's history lose the same text. Returns how
    many applications were erased."""
    cutoff = min(before, _years_before(china_today(), retention_years()))
    erased = 0
    with across_tenants(None, reason="privacy purge of applicants' contact data"):
        for application in db.session.scalars(select(Application).where(
                Application.status == "closed", Application.closed_on < cutoff,
                Application.personal_data_purged_at.is_(None))
                .options(selectinload(Application.letters).selectinload(ReplyLetter.attachment_links),
                         selectinload(Application.events), selectinload(Application.appeals))):
            _erase(application)
            erased += 1
        db.session.flush()
    return erased


def _erase(application: Application) -> None:
    secrets = [v for v in (application.name, application.id_number, application.phone, application.email,
                           application.address, application.contact_name, application.legal_rep,
                           application.work_unit) if len(v) > 1]
    texts = [v.strip() for v in (getattr(application, f) for f in FREE_TEXT_FIELDS) if len(v.strip()) > 1]
    # The longest first: a name inside a longer text goes with the text.
    erase = sorted(set(texts + secrets), key=len, reverse=True)

    def scrub(text: str) -> str:
        for value in erase:
            text = text.replace(value, ERASED_NAME)
        return text
    for letter in application.letters:
        letter.body = scrub(letter.body)
        _rewrite_pdf(letter)
    for event in application.events:
        event.summary = ERASED_SUMMARIES.get(event.kind) or scrub(event.summary)
    for appeal in application.appeals:
        appeal.note = ""
    application.answer_basis = scrub(application.answer_basis)
    application.extension_approved_by = scrub(application.extension_approved_by)
    application.name = ERASED_NAME
    application.description = ERASED_NAME
    for name in CONTACT_FIELDS + FREE_TEXT_FIELDS[1:]:
        setattr(application, name, "")
    application.personal_data_purged_at = utcnow()


def _rewrite_pdf(letter) -> None:
    """A signed letter's stored PDF made again from its erased text, on the day it was signed, in
    place of the file (same attachment, new bytes): no copy of the applicant's details stays."""
    import hashlib

    from core.plugin_api import Attachment, china_date, storage_path
    from plugins.applications.letters import render_pdf
    if not letter.pdf_attachment_id or letter.approved_at is None:
        return
    stored = db.session.get(Attachment, letter.pdf_attachment_id)
    if stored is None:
        return
    data = render_pdf(letter, china_date(letter.approved_at))
    path = storage_path(stored.token)
    partial = path.with_name(path.name + ".purge")
    partial.write_bytes(data)
    partial.replace(path)
    stored.size, stored.sha256 = len(data), hashlib.sha256(data).hexdigest()


# --- who sees an applicant unmasked ------------------------------------------------------------

def may_see_applicant(user, tenant) -> bool:
    """Policy: an applicant's name, ID number and contact details are shown unmasked (case page,
    office API, archive), and each such view audited, only to
    - the tenant's own office: CONTENT_EDIT granted on the tenant itself, the people who register,
      handle and post the answer (a grant on an ancestor, e.g. the district's staff reading a
      town's case, does not count), and
    - whom core lets see personal data (may_see_personal_data: the tenant's admins).
    Everyone else with CONTENT_VIEW (reviewers, read-only tokens, the district's editors) sees them
    masked."""
    if may_see_personal_data(user, tenant):
        return True
    if not has_permission(user, Permission.CONTENT_EDIT, tenant):
        return False
    return tenant.parent is None or not has_permission(user, Permission.CONTENT_EDIT, tenant.parent)


def _mask_text(value: str) -> str:
    value = (value or "").strip()
    return value[:1] + "***" if value else ""


def _mask_address(value: str) -> str:
    """The county and town stay (where the applicant is), the street and number go."""
    value = (value or "").strip()
    return value[:6] + "****" if len(value) > 6 else "*" * len(value)


def applicant(application: Application, unmasked: bool) -> dict[str, str]:
    """The applicant's details as this viewer may see them. An organisation's name and credit code
    are not personal data and stay; the people named (its legal representative, its contact) and
    every contact detail are masked."""
    a = application
    values = {"name": a.name, "id_number": a.id_number, "work_unit": a.work_unit, "org_code": a.org_code,
              "legal_rep": a.legal_rep, "contact_name": a.contact_name, "address": a.address, "postcode": a.postcode,
              "phone": a.phone, "email": a.email}
    if unmasked:
        return values
    masked = {"id_number": mask_id_number(a.id_number), "work_unit": _mask_text(a.work_unit),
              "legal_rep": a.legal_rep and mask_name(a.legal_rep), "contact_name": a.contact_name and mask_name(a.contact_name),
              "address": _mask_address(a.address), "phone": mask_phone(a.phone), "email": a.email and mask_contact(a.email)}
    if a.applicant_kind == "citizen":
        masked["name"] = mask_name(a.name)
    return {**values, **masked}


def unmasked_for(user, application: Application, how: str) -> bool:
    """Whether `user` sees this applicant unmasked (may_see_applicant); such a view is recorded in
    the audit log, once the caller commits. An erased applicant has nothing left to mask."""
    if application.personal_data_purged_at is not None:
        return True
    if not may_see_applicant(user, application.tenant):
        return False
    audit.record("applications.personal_view", target=application, actor=user,
                 summary=f"查看申请 {application.code} 的申请人完整信息（{how}）")
    return True


def unmasked_list_for(user, tenant, applications: list[Application], how: str) -> bool:
    """The same for a page of the tenant's applications: one audit entry naming them all."""
    if not may_see_applicant(user, tenant):
        return False
    shown = [a.code for a in applications if a.personal_data_purged_at is None]
    if shown:
        audit.record("applications.personal_view", target=tenant, actor=user,
                     summary=f"查看 {len(shown)} 件申请的申请人完整信息（{how}）：" + "、".join(shown))
    return True
