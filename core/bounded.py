"""Every uploaded or imported file is parsed within stated limits, checked before a parser builds
its objects (issue 17): a 5 KB spreadsheet declaring one merged range over 400,000 cells, or a
100 KB file that inflates to 100 MB, is refused at once with a message that names the limit.

ZIP containers (.xlsx, .docx): compressed size, number of entries, total uncompressed size (the
sizes the archive declares, which zipfile never reads past) and expansion ratio. Spreadsheets, from
a streaming read of each sheet's XML: sheets, rows, columns and merged cells. Backups (.tar.gz):
members, total size and expansion, counted while decompressing, so a bomb stops early. Every limit
is a setting (config key or environment variable of the same name).
"""
from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from core.errors import DomainError

LIMITS = {
    "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,          # a file as uploaded
    "ZIP_MAX_ENTRIES": 2_000,
    "ZIP_MAX_UNCOMPRESSED": 100 * 1024 * 1024,     # all entries together, as declared
    "ZIP_MAX_RATIO": 100,                          # uncompressed / compressed
    "XLSX_MAX_SHEETS": 100,
    "XLSX_MAX_ROWS": 20_000,                       # per sheet
    "XLSX_MAX_COLUMNS": 100,
    "XLSX_MAX_MERGED_CELLS": 20_000,               # per sheet, cells covered by merged ranges
    "BACKUP_MAX_MEMBERS": 1_000_000,
    "BACKUP_MAX_RATIO": 100,
    "TEXT_MAX_BYTES": 5 * 1024 * 1024,             # one imported text, JSON or YAML file
}


class LimitExceeded(DomainError):
    """A file beyond a stated limit: refused before it is parsed."""
    status = 413


def limit(name: str) -> int:
    from flask import current_app, has_app_context
    if has_app_context() and current_app.config.get(name):
        return int(current_app.config[name])
    return int(os.environ.get(name) or LIMITS[name])


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def check_size(size: int, what: str = "文件") -> None:
    if size > limit("UPLOAD_MAX_BYTES"):
        raise LimitExceeded(f"{what}过大：不能超过 {_mb(limit('UPLOAD_MAX_BYTES'))}。")


def open_zip(data: bytes, what: str = "文件") -> zipfile.ZipFile:
    """The ZIP container, once its declared contents are within the limits."""
    check_size(len(data), what)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise DomainError(f"无法读取{what}：文件已损坏，或不是所需的格式。") from None
    entries = archive.infolist()
    if len(entries) > limit("ZIP_MAX_ENTRIES"):
        raise LimitExceeded(f"{what}内部包含 {len(entries)} 个部件，超过上限 {limit('ZIP_MAX_ENTRIES')} 个。")
    total = sum(e.file_size for e in entries)
    if total > limit("ZIP_MAX_UNCOMPRESSED"):
        raise LimitExceeded(f"{what}解压后有 {_mb(total)}，超过上限 {_mb(limit('ZIP_MAX_UNCOMPRESSED'))}。")
    if total > limit("ZIP_MAX_RATIO") * max(len(data), 1):
        raise LimitExceeded(f"{what}解压后是原大小的 {total // max(len(data), 1)} 倍，超过上限 {limit('ZIP_MAX_RATIO')} 倍"
                            "（疑似压缩炸弹）。")
    return archive


def check_xlsx(data: bytes, what: str = "Excel 文件") -> None:
    """Sheets, rows, columns and merged cells of a workbook, read as a stream of XML before openpyxl
    builds a cell object (it makes one for every cell a merged range covers)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
    archive = open_zip(data, what)
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if len(sheets) > limit("XLSX_MAX_SHEETS"):
        raise LimitExceeded(f"{what}有 {len(sheets)} 个工作表，超过上限 {limit('XLSX_MAX_SHEETS')} 个。")
    max_rows, max_cols, max_merged = limit("XLSX_MAX_ROWS"), limit("XLSX_MAX_COLUMNS"), limit("XLSX_MAX_MERGED_CELLS")
    for name in sheets:
        rows = merged = 0
        try:
            with archive.open(name) as stream:
                for _, element in iterparse(stream):
                    tag = element.tag.rpartition("}")[2]
                    if tag == "row":
                        rows += 1
                        if rows > max_rows:
                            raise LimitExceeded(f"{what}的一个工作表超过 {max_rows} 行，请分成几个文件导入。")
                        element.clear()
                    elif tag == "c" and element.get("r"):
                        column = column_index_from_string(coordinate_from_string(element.get("r"))[0])
                        if column > max_cols:
                            raise LimitExceeded(f"{what}的一个工作表超过 {max_cols} 列。")
                    elif tag == "mergeCell" and element.get("ref"):
                        left, top, right, bottom = range_boundaries(element.get("ref"))
                        merged += (right - left + 1) * (bottom - top + 1)
                        if merged > max_merged or right > max_cols or bottom > max_rows:
                            raise LimitExceeded(f"{what}的合并单元格超出范围（一个工作表最多合并 {max_merged} 个单元格，"
                                                f"{max_rows} 行、{max_cols} 列以内）。")
        except (ParseError, DefusedXmlException, ValueError, TypeError, zipfile.BadZipFile):
            raise DomainError(f"无法读取{what}：工作表内容已损坏。") from None


def read_text_file(path: Path, what: str = "文件") -> str:
    """A text, JSON or YAML file to import, within TEXT_MAX_BYTES, as UTF-8."""
    size = path.stat().st_size
    if size > limit("TEXT_MAX_BYTES"):
        raise LimitExceeded(f"{what}过大（{_mb(size)}）：不能超过 {_mb(limit('TEXT_MAX_BYTES'))}。")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("文件不是 UTF-8 编码。") from None


def check_backup(path: str | Path) -> None:
    """A backup archive's members and total size, counted while it is decompressed once (stream
    mode): a gzip bomb is stopped as soon as it passes BACKUP_MAX_RATIO times its own size."""
    compressed = max(Path(path).stat().st_size, 1)
    ceiling, members_max = limit("BACKUP_MAX_RATIO") * compressed, limit("BACKUP_MAX_MEMBERS")
    total = members = 0
    try:
        with tarfile.open(path, "r|gz") as tar:
            for member in tar:
                members += 1
                total += member.size
                if members > members_max:
                    raise LimitExceeded(f"备份文件包含的条目超过上限 {members_max} 个。")
                if total > ceiling:
                    raise LimitExceeded(f"备份文件解压后超过原大小的 {limit('BACKUP_MAX_RATIO')} 倍（疑似压缩炸弹），已拒绝。")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DomainError(f"无法读取备份文件：{exc}") from None
