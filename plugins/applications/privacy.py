"""Erasing applicants' personal data once the file's retention has run (PIPL 第十九条: kept no longer
than needed): the applicant's name and contact details of applications closed more than
APPLICATIONS_RETENTION_YEARS (default 5) years ago. What the statistics count stays: the applicant's
kind, the dates, the answer and its reason."""
from __future__ import annotations

import os

from datetime import date

from flask import current_app
from sqlalchemy import select

from core.plugin_api import across_tenants, china_today, db, utcnow
from plugins.applications.models import Application

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


def purge_personal_data(before: date) -> int:
    """Erase the applicants of applications closed before `before` and before the retention period;
    the letters lose the same details. Returns how many applications were erased."""
    cutoff = min(before, _years_before(china_today(), retention_years()))
    erased = 0
    with across_tenants(None, reason="privacy purge of applicants' contact data"):
        for application in db.session.scalars(select(Application).where(
                Application.status == "closed", Application.closed_on < cutoff,
                Application.personal_data_purged_at.is_(None))):
            secrets = [v for v in (application.name, application.id_number, application.phone, application.email,
                                   application.address, application.contact_name, application.legal_rep) if len(v) > 1]
            for letter in application.letters:
                for value in secrets:
                    letter.body = letter.body.replace(value, ERASED_NAME)
                _rewrite_pdf(letter)
            application.name = ERASED_NAME
            for name in CONTACT_FIELDS:
                setattr(application, name, "")
            application.personal_data_purged_at = utcnow()
            erased += 1
        db.session.flush()
    return erased


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
