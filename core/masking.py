"""Masking of personal data (PIPL): what the public may see of a name, phone, e-mail or ID number."""
from __future__ import annotations

import re


def mask_name(name: str | None) -> str:
    """王小明 → 王**, 欧阳娜娜 → 欧***; an empty name shows as 匿名."""
    name = (name or "").strip()
    if not name:
        return "匿名"
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None) -> str:
    """13812341234 → 138****1234; other numbers keep at most their first 3 and last 4 digits."""
    digits = re.sub(r"\D", "", phone or "")
    if not digits:
        return ""
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 1)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_email(email: str | None) -> str:
    """zhang.san@example.cn → z***@example.cn"""
    email = (email or "").strip()
    if "@" not in email:
        return mask_name(email) if email else ""
    local, domain = email.split("@", 1)
    return (local[:1] or "*") + "***@" + domain


def mask_id_number(number: str | None) -> str:
    """A resident ID number keeps its first 6 and last 4 characters: 320102**********1234."""
    number = (number or "").strip()
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_contact(value: str | None) -> str:
    """A phone number or an e-mail address, whichever it is."""
    value = (value or "").strip()
    return mask_email(value) if "@" in value else mask_phone(value)
