"""How fast a .docx is imported or refused (issue 18, point 2: "refused with a clear message within
a second"), side by side with mammoth reading the same bytes without our checks first.

    .venv/bin/python bench/docx_import.py
"""
from __future__ import annotations

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mammoth  # noqa: E402

from core.docx import import_docx  # noqa: E402
from core.errors import DomainError  # noqa: E402
from tests.core.test_docx import BILLION_LAUGHS, DEEP, _zip  # noqa: E402
from tests.docx_files import docx, official_notice, para, table  # noqa: E402


def long_document() -> bytes:
    """A 300-paragraph notice with twenty 20-row tables: a large real document (it passes)."""
    blocks = []
    for i in range(20):
        blocks += [para(f"第{i + 1}部分", style="Heading1")] + [para("本镇各村应当按照要求落实森林防火责任。" * 4)] * 15
        blocks.append(table([["村名", "护林员", "巡查次数"]] + [[f"村{j}", str(j), str(j * 3)] for j in range(20)]))
    return docx(*blocks)


CASES = {
    "official notice (passes)": official_notice(),
    "long document (passes)": long_document(),
    "not a zip": b"%PDF-1.7 renamed" * 100,
    "entity expansion": docx(document=BILLION_LAUGHS),
    "nesting 3,000 deep": docx(document=DEEP),
    "zip bomb (50 MB of spaces)": _zip({"word/document.xml": b"<a>" + b" " * 50_000_000 + b"</a>"}),
}


def measure(fn, data) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        fn(data)
        outcome = "accepted"
    except DomainError as exc:
        outcome = "refused: " + exc.message[:36]
    except BaseException as exc:  # noqa: BLE001 - the reference may fail in its own way
        outcome = f"error: {type(exc).__name__}"
    return time.perf_counter() - started, outcome


def main() -> None:
    import_docx(official_notice())      # warm: imports are not the point
    print(f"{'file':28} {'bytes':>9} | {'import_docx s':>13} | {'bare mammoth s':>14} | outcome (ours / bare)")
    for name, data in CASES.items():
        ours = measure(import_docx, data)
        bare = measure(lambda d: mammoth.convert_to_html(io.BytesIO(d)), data)
        print(f"{name:28} {len(data):>9} | {ours[0]:>13.3f} | {bare[0]:>14.3f} | {ours[1]} / {bare[1]}")


if __name__ == "__main__":
    main()
