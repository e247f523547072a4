"""Keys kept outside the database, for what the database keeps secret: the second factor's
secrets (encrypted) and one-time codes (a keyed hash). The key is TOTP_ENCRYPTION_KEY, or one
derived from SECRET_KEY, as the audit chain's is."""
from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

_PREFIX = "v1:"


def _key(purpose: bytes) -> bytes:
    explicit = current_app.config.get("TOTP_ENCRYPTION_KEY")
    base = explicit.encode() if explicit else hmac.new(str(current_app.config["SECRET_KEY"]).encode(),
                                                        b"cms second factor", hashlib.sha256).digest()
    return hmac.new(base, purpose, hashlib.sha256).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(b"totp secrets")))


def code_digest(code: str) -> str:
    """Enrolment and recovery codes are stored as a keyed hash: short codes cannot be tried offline
    against a copy of the table without the key."""
    return hmac.new(_key(b"one-time codes"), code.encode(), hashlib.sha256).hexdigest()


class EncryptedString(TypeDecorator):
    """Text encrypted (Fernet: AES-128-CBC with HMAC-SHA-256) when written, decrypted when read.
    A value that no longer decrypts (the key changed) reads as None: the person enrols again."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return _PREFIX + _fernet().encrypt(value.encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if not value.startswith(_PREFIX):
            return value            # written before encryption: core migration 0013 encrypts these
        try:
            return _fernet().decrypt(value[len(_PREFIX):].encode()).decode()
        except InvalidToken:
            current_app.logger.error("a second-factor secret does not decrypt: TOTP_ENCRYPTION_KEY changed?")
            return None
