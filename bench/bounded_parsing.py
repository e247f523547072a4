"""How fast crafted uploads are refused (issue 17), side by side with what parsing them used to
cost: openpyxl loading the same bytes. Prints seconds and peak memory of each.

    .venv/bin/python bench/bounded_parsing.py
"""
from __future__ import annotations

import io
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import load_workbook  # noqa: E402

from core.bounded import check_xlsx  # noqa: E402
from core.errors import DomainError  # noqa: E402
from tests.core.test_bounded import xlsx  # noqa: E402

def merged_bomb() -> bytes:
    """A workbook openpyxl itself writes, then one merged range over 400,000 cells added to its
    sheet XML (the way the outside test crafted it): about 5 KB."""
    import zipfile
    from openpyxl import Workbook
    wb = Workbook()
    wb.active["A1"] = "序号"
    plain = io.BytesIO()
    wb.save(plain)
    source, out = zipfile.ZipFile(io.BytesIO(plain.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:T20000"/></mergeCells>')
            target.writestr(item, data)
    return out.getvalue()


def inflating() -> bytes:
    """A real workbook carrying 20 MB of zeros that compress to a few KB."""
    import zipfile
    from openpyxl import Workbook
    wb = Workbook()
    wb.active["A1"] = "序号"
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO(plain.getvalue())
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/media/padding.bin", b"\0" * 20_000_000)
    return out.getvalue()


CASES = {
    "merged range over 400,000 cells": merged_bomb(),
    "20,001 rows": xlsx(rows="".join(f'<row r="{i}"/>' for i in range(1, 20_002))),
    "inflates 1000x (20 MB)": inflating(),
    "real catalog (passes)": (Path(__file__).resolve().parents[1] / "tests" / "fixtures"
                              / "catalog-education-example.xlsx").read_bytes(),
}


def measure(fn, data) -> tuple[float, float, str]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        fn(data)
        outcome = "accepted"
    except DomainError as exc:
        outcome = "refused: " + exc.message[:40]
    except Exception as exc:  # noqa: BLE001 - the reference parser may fail in its own way
        outcome = f"error: {type(exc).__name__}"
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return elapsed, peak, outcome


def main() -> None:
    check_xlsx(CASES["real catalog (passes)"])          # warm: imports are not the point
    print(f"{'file':34} {'bytes':>9} | {'check_xlsx s':>12} {'MB':>6} | {'openpyxl s':>10} {'MB':>6} | outcome")
    for name, data in CASES.items():
        ours = measure(check_xlsx, data)
        theirs = measure(lambda d: load_workbook(io.BytesIO(d)), data)
        print(f"{name:34} {len(data):>9} | {ours[0]:>12.3f} {ours[1]:>6.1f} | {theirs[0]:>10.3f} {theirs[1]:>6.1f} | {ours[2]}")


if __name__ == "__main__":
    main()
