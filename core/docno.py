"""文号 (a document's issuing number) in its canonical form, GB/T 9704-2012《党政机关公文格式》7.2.4:
the issuer's code, the year in full inside 六角括号 〔〕, the sequence number without 第 and without
leading zeros, then 号: 青政办发〔2026〕3号.

People type it every other way: [2026], (2026), 【2026】, ［2026］, with spaces, with full-width
digits, with no brackets at all (青政办发2026年3号, 青政办发2026 3号), with 第3号 or 003号. Whatever
is entered (form, API, import) is stored canonical, and a search typed that way is read canonical.
Text that is not recognisably a 文号 is kept as typed (spaces tidied).
"""
from __future__ import annotations

import re
import unicodedata

_OPEN, _CLOSE = "[(（【［〔﹝{｛〈<", "])）】］〕﹞}｝〉>"
_PATTERN = re.compile(
    r"^(?P<issuer>\D*?)\s*"
    r"(?:[" + re.escape(_OPEN) + r"]\s*(?P<year1>(?:19|20)\d\d)\s*[" + re.escape(_CLOSE) + r"]"
    r"|(?P<year2>(?:19|20)\d\d)\s*年?)\s*"
    r"第?\s*0*(?P<number>\d{1,5})\s*号$")


def canonical_doc_no(text: str | None) -> str:
    """The 文号 as GB/T 9704 writes it, or the text tidied when it is not one."""
    raw = re.sub(r"\s+", " ", (text or "").replace("\u3000", " ")).strip()
    if not raw:
        return ""
    # Full-width digits and letters to half-width, without touching the brackets' own forms.
    folded = "".join(unicodedata.normalize("NFKC", c) if c.isdigit() or c.isascii() or "Ａ" <= c <= "ｚ" else c
                     for c in raw)
    found = _PATTERN.match(folded)
    if not found or not found.group("issuer").strip():
        return folded
    year = found.group("year1") or found.group("year2")
    return f"{found.group('issuer').strip()}〔{year}〕{int(found.group('number'))}号"


_CANONICAL = re.compile(r"\D+〔(?:19|20)\d\d〕[1-9]\d*号")


def looks_like_doc_no(text: str) -> bool:
    """Whether the text, read canonically, is a whole 文号 (issuer, full year, number)."""
    return bool(_CANONICAL.fullmatch(canonical_doc_no(text)))
