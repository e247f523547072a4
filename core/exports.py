"""Every CSV and spreadsheet the product writes (web, API, command line, reports) is written here,
and every cell goes through one function, `export_cell`: text that a spreadsheet would run as a
formula (it starts with = + - @, a tab or a carriage return: CSV/formula injection, OWASP) gets a
leading apostrophe, which spreadsheets show as text. Nothing else in core or in a plugin imports
`csv` or openpyxl's `Workbook` (tests/core/test_exports.py reads the sources).
"""
from __future__ import annotations

import csv
import io
from typing import IO, Iterable
from urllib.parse import quote

from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_cell(value):
    """The one export-cell function: a value as it may be written to a CSV or spreadsheet cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer whose every cell goes through export_cell."""

    def __init__(self, stream: IO[str]):
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([export_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable]) -> str:
    """A whole CSV file, with the byte-order mark Excel needs to read Chinese correctly."""
    out = io.StringIO()
    CsvWriter(out).writerows(rows)
    return "\ufeff" + out.getvalue()


def attachment_headers(filename: str, fallback: str) -> dict[str, str]:
    """Content-Disposition for a download with a Chinese file name (RFC 6266 / 5987)."""
    return {"Content-Disposition": f"attachment; filename={fallback}; filename*=UTF-8''{quote(filename)}"}


def csv_download(rows: Iterable[Iterable], filename: str, fallback: str):
    """A CSV file as a download: every cell through export_cell."""
    from flask import make_response
    response = make_response(csv_text(rows))
    response.mimetype = "text/csv"
    response.headers.update(attachment_headers(filename, fallback))
    return response


def xlsx_download(wb: Workbook, filename: str, fallback: str):
    """A workbook filled with append_rows, as a download."""
    from flask import make_response
    response = make_response(workbook_bytes(wb))
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers.update(attachment_headers(filename, fallback))
    return response


def new_workbook() -> Workbook:
    """An empty workbook: sheets are added with create_sheet, rows with append_rows."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def append_rows(ws, rows: Iterable[Iterable]) -> None:
    """Rows into an openpyxl sheet, each cell through export_cell; text always stays text (openpyxl
    would store any string starting with = as a formula)."""
    for row in rows:
        ws.append([export_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
