"""Spreadsheet and CSV output of user-typed text, safe to open: a cell that starts with = + - @
would be run as a formula by Excel or LibreOffice (CSV/formula injection)."""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """For CSV: text that would start a formula gets a leading apostrophe, which spreadsheets hide."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_rows(rows):
    return [[csv_safe(v) for v in row] for row in rows]


def append_rows(ws, rows) -> None:
    """For openpyxl: strings always stay strings (openpyxl stores any text starting with = as a formula)."""
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
