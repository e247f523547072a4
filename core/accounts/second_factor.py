"""The second factor beyond the authenticator app (issue 17): its secret encrypted at rest with a
key kept outside the database, a one-time enrolment code issued by the security admin (the password
alone does not enrol an account), and ten one-time recovery codes shown once at enrolment.

The key is TOTP_ENCRYPTION_KEY, or one derived from SECRET_KEY (as the audit chain's is from it):
someone who reads or copies the tables does not get the secrets that make the codes.
"""
from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ForeignKey, String, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.accounts.crypto import code_digest
from core.clock import utcnow
from core.codes import new_code, normalise_code
from core.db import UTCDateTime, db

RECOVERY_CODES = 10
RECOVERY_GROUPS = (5, 5)
ENROLMENT_GROUPS = (4, 4, 4)


class RecoveryCode(db.Model):
    """One of a person's ten one-time recovery codes, as a keyed hash; used_at once spent."""
    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def new_recovery_codes(user) -> list[str]:
    """Ten fresh codes (the old ones stop working), returned once to be shown and never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [new_code(RECOVERY_GROUPS) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=code_digest(c)) for c in codes)
    db.session.flush()
    return codes


def use_recovery_code(user, typed: str) -> bool:
    """Spend one code: true once per code, in one statement (two requests cannot both use it)."""
    code = normalise_code(typed, RECOVERY_GROUPS)
    if not code:
        return False
    spent = db.session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_digest(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())).rowcount
    return spent == 1


def recovery_codes_left(user) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def looks_like_recovery_code(typed: str) -> bool:
    return bool(normalise_code(typed, RECOVERY_GROUPS)) and not (typed or "").strip().isdigit()


def issue_enrolment_code(actor, user, tenant=None) -> str:
    """Reset the person's second factor and give a one-time enrolment code (ENROLMENT_CODE_HOURS,
    72 by default): with it and the password the person sets up an authenticator app. The security
    admin hands it over in person or by another channel than the password."""
    from core.accounts import require_person_management
    if tenant is not None:
        require_person_management(actor, user, tenant)
    code = new_code(ENROLMENT_GROUPS)
    user.totp_secret, user.totp_last_step = None, None
    user.enrol_code_hash, user.enrol_code_expires_at = code_digest(code), utcnow() + timedelta(hours=enrolment_hours())
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.end_sessions()
    audit.record("user.enrolment_code", target=user, actor=actor, tenant=tenant,
                 summary=f"重置双因素登录并签发一次性绑定码：{user.username}")
    return code


def check_enrolment_code(user, typed: str) -> bool:
    code = normalise_code(typed, ENROLMENT_GROUPS)
    if not code or not user.enrol_code_hash or user.enrol_code_expires_at is None:
        return False
    return hmac.compare_digest(user.enrol_code_hash, code_digest(code)) and user.enrol_code_expires_at > utcnow()


def enrolment_hours() -> int:
    return int(current_app.config.get("ENROLMENT_CODE_HOURS", 72))
