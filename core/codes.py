"""Codes handed to the public (a comment's tracking code, a registration code): random, from an
alphabet without the characters people confuse (0/O, 1/I/L), in dash-separated groups, and read
back whatever case, spaces or dashes a person typed."""
from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code(groups: tuple[int, ...]) -> str:
    """A random code of the given group lengths, e.g. (4, 4, 4) → "K7QX-2MHP-W9ZD"."""
    return _grouped("".join(secrets.choice(ALPHABET) for _ in range(sum(groups))), groups)


def normalise_code(code: str, groups: tuple[int, ...]) -> str:
    """The code as stored, or "" when what was typed cannot be one."""
    raw = re.sub(r"[^A-Za-z0-9]", "", code or "").upper()
    return _grouped(raw, groups) if len(raw) == sum(groups) else ""


def _grouped(raw: str, groups: tuple[int, ...]) -> str:
    parts, start = [], 0
    for length in groups:
        parts.append(raw[start:start + length])
        start += length
    return "-".join(parts)
