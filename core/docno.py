"""文号 (a document's issuing number) in its canonical form, GB/T 9704-2012《党政机关公文格式》7.2.4:
the issuer's code, the year in full inside 六角括号 〔〕, the sequence number without 第 and without
leading zeros, then 号: 青政办发〔2026〕3号.

People type it every other way: [2026], (2026), 【2026】, ［2026］, with spaces, with full-width
digits, with no brackets at all (青政办发2026年3号, 青政办发2026 3号), with 第3号 or 003号. Whatever
is entered (form, API, import) is stored canonical, and a search typed that way is read canonical.
Text that is not recognisably a 文号 is kept as typed (spaces tidied).

People also leave the year out (青政发4号, 青政办发第3号): `abbreviated_doc_no` reads the issuer's
code and the number, and site search looks for that 文号 of any year (core.search).
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


_ABBREVIATED = re.compile(r"^(?P<issuer>[^\W\d_]+?)\s*第?\s*0*(?P<number>[1-9]\d{0,4})\s*号$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def abbreviated_doc_no(text: str | None) -> tuple[str, int] | None:
    """(issuer, number) of a 文号 typed without its year (青政发4号, 青政办发 第3号, 青政发004号), or
    None: a whole 文号, a number alone, or anything with more than an issuer's code before the number."""
    raw = re.sub(r"\s+", " ", (text or "").replace("\u3000", " ")).strip()
    folded = "".join(unicodedata.normalize("NFKC", c) if c.isdigit() or "Ａ" <= c <= "ｚ" else c for c in raw)
    found = _ABBREVIATED.match(folded)
    if not found or not _CJK.search(found.group("issuer")) or found.group("issuer") == "第":
        return None
    return found.group("issuer"), int(found.group("number"))


def doc_no_pattern(issuer: str, number: int) -> re.Pattern:
    """Finds, in a stored (canonical) 文号, that issuer's number `number` of any year: whole, not
    the end of a longer issuer's code nor the start of a longer number."""
    return re.compile(rf"(?<![^\W\d_]){re.escape(issuer)}〔(?:19|20)\d\d〕{number}号", re.IGNORECASE)
