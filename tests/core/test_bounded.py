"""Bounded parsing of everything uploaded or imported (issue 17): crafted files of each kind are
refused before a parser builds its objects, with a Chinese message naming the limit, and files
within the limits still pass. (How fast the refusal is: bench/bounded_parsing.py.)"""
from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from core.bounded import LimitExceeded, check_backup, check_xlsx, open_zip, read_text_file
from core.errors import DomainError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures"
SHEET = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<sheetData>{rows}</sheetData>{merges}</worksheet>')


def xlsx(rows: str = '<row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c></row>', merges: str = "",
         extra: dict | None = None) -> bytes:
    """A minimal workbook whose first sheet holds `rows` and `merges` (mergeCells XML)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", SHEET.format(rows=rows, merges=merges))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_a_real_catalog_spreadsheet_passes():
    data = (FIXTURE / "catalog-education-example.xlsx").read_bytes()
    check_xlsx(data)


def test_one_merged_range_over_400000_cells_is_refused():
    """The finding: a 5 KB file whose single merged range made openpyxl build 400,000 cells."""
    data = xlsx(merges='<mergeCells count="1"><mergeCell ref="A1:T20000"/></mergeCells>')
    assert len(data) < 5_000
    with pytest.raises(LimitExceeded, match="合并单元格"):
        check_xlsx(data)


@pytest.mark.parametrize("rows, message", [
    ("".join(f'<row r="{i}"/>' for i in range(1, 20_002)), "20000 行"),
    ('<row r="1"><c r="ZZ1"><v>1</v></c></row>', "100 列"),
])
def test_too_many_rows_or_columns_are_refused(rows, message):
    with pytest.raises(LimitExceeded, match=message):
        check_xlsx(xlsx(rows=rows))


def test_a_file_that_inflates_a_thousandfold_is_refused():
    """The finding: a 100 KB file that inflates to 100 MB was read whole."""
    data = xlsx(extra={"xl/media/padding.bin": b"\0" * 20_000_000})
    assert len(data) < 100_000
    with pytest.raises(LimitExceeded, match="倍"):
        check_xlsx(data)


def test_too_many_entries_and_too_much_in_total_are_refused(monkeypatch):
    monkeypatch.setenv("ZIP_MAX_ENTRIES", "10")
    with pytest.raises(LimitExceeded, match="部件"):
        open_zip(xlsx(extra={f"xl/media/{i}.txt": "x" for i in range(20)}))
    monkeypatch.setenv("ZIP_MAX_UNCOMPRESSED", str(1024 * 1024))
    with pytest.raises(LimitExceeded, match="解压后有"):
        open_zip(xlsx(extra={"xl/media/big.bin": bytes(range(256)) * 8_000}))


def test_a_word_document_is_bounded_the_same_way():
    """.docx is a ZIP container too (the Word import of the editors' issue reads it through open_zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document>" + " " * 30_000_000 + "</w:document>")
    with pytest.raises(LimitExceeded, match="Word 文件"):
        open_zip(buffer.getvalue(), "Word 文件")


def test_not_a_zip_is_a_clear_error_not_a_crash():
    with pytest.raises(DomainError, match="无法读取"):
        check_xlsx(b"PK\x03\x04 not really a zip")
    with pytest.raises(DomainError, match="工作表内容已损坏"):
        check_xlsx(xlsx(rows="<row><c r='A1'>unclosed"))


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_backup_bomb_stops_early(tmp_path):
    bomb = _tar(tmp_path / "bomb.tar.gz", {"manifest.json": b"{}", "tables/x.jsonl": b"\0" * 50_000_000})
    assert bomb.stat().st_size < 100_000
    with pytest.raises(LimitExceeded, match="压缩炸弹"):
        check_backup(bomb)
    check_backup(_tar(tmp_path / "ok.tar.gz", {"manifest.json": b'{"format": 1}', "tables/x.jsonl": b'{"id": 1}\n'}))


def test_imported_text_files_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXT_MAX_BYTES", "1000")
    big = tmp_path / "issue.yaml"
    big.write_text("year: 2024\n" + "# " * 1000, encoding="utf-8")
    with pytest.raises(LimitExceeded, match="不能超过"):
        read_text_file(big, "公报信息文件")
    small = tmp_path / "small.yaml"
    small.write_text("year: 2024\n", encoding="utf-8")
    assert read_text_file(small) == "year: 2024\n"


def test_entities_in_a_sheet_are_refused_not_expanded():
    """An XML entity bomb (billion laughs) or an external entity inside a sheet: defusedxml refuses
    the document type before anything expands."""
    laughs = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><worksheet><sheetData><row r="1"><c r="A1">'
              '<v>&c;</v></c></row></sheetData></worksheet>')
    external = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<worksheet><sheetData><row r="1"><c r="A1"><v>&x;</v></c></row></sheetData></worksheet>')
    for sheet in (laughs, external):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/worksheets/sheet1.xml", sheet)
        with pytest.raises(DomainError, match="工作表内容已损坏"):
            check_xlsx(buffer.getvalue())
