"""Phone numbers, e-mail addresses and ID numbers as people type them: normalised once, so the
same number is always the same string (full-width ３ and Arabic-Indic ٣ are digits to Python's
regular expressions, but not the same characters)."""
from __future__ import annotations

import re
import unicodedata

MOBILE_RE = re.compile(r"^1[0-9]{10}$")
PHONE_RE = re.compile(r"^(?:1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ID_NUMBER_RE = re.compile(r"^[0-9]{17}[0-9X]$")


def ascii_text(value: str | None) -> str:
    """NFKC: full-width letters and digits become ASCII, compatibility characters their plain form."""
    return unicodedata.normalize("NFKC", value or "").strip()


def normalise_phone(value: str | None) -> str:
    """A phone number without spaces, dashes between groups, or a +86 prefix; "" if it is not one."""
    text = ascii_text(value)
    text = re.sub(r"[\s()（）]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    text = text.lstrip("-")
    mobile = text.replace("-", "")
    if MOBILE_RE.match(mobile):
        return mobile
    return text if PHONE_RE.match(text) and text.isascii() else ""


def normalise_mobile(value: str | None) -> str:
    phone = normalise_phone(value)
    return phone if MOBILE_RE.match(phone) else ""


def normalise_email(value: str | None) -> str:
    text = ascii_text(value)
    return text if EMAIL_RE.match(text) and len(text) <= 100 else ""


def normalise_id_number(value: str | None) -> str:
    text = re.sub(r"\s", "", ascii_text(value)).upper()
    return text if ID_NUMBER_RE.match(text) else ""
