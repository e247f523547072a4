"""Chinese PDFs for every plugin: finding a CJK font, adding it to a document (parsed once per
process, core/fontcache.py), Chinese line breaking, warming the fonts at start-up, and a plain
report document (title, paragraphs, tables) for reports such as the catalog's supervision reports.

Fonts: GAZETTE_PDF_FONT (and optionally GAZETTE_PDF_FONT_BOLD), in the configuration or the
environment, name a .ttf/.otf/.ttc file; by default the usual places of AR PL UMing, WenQuanYi,
Noto CJK, Source Han and the Windows/macOS Chinese fonts are tried (`make run` and `make test`
install fonts-arphic-uming and fonts-wqy-microhei on Debian and Ubuntu when none is found).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app

from core import fontcache
from core.errors import DomainError

log = logging.getLogger(__name__)

# TrueType-outline fonts first: fpdf2 embeds them as Identity-H CID fonts, which every PDF reader and
# text extractor understands. CFF-based fonts (Noto CJK, Source Han: .otf/.ttc) display fine but get a
# custom encoding CMap that some extractors (pypdf, pdfminer) cannot read, so they are the fallback.
REGULAR_CANDIDATES = (
    "/usr/share/fonts/truetype/arphic/uming.ttc",              # AR PL UMing CN (宋体 style): fonts-arphic-uming
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",          # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/adobe-source-han-serif/SourceHanSerifSC-Regular.otf",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
)
BOLD_CANDIDATES = (                                           # headings, in a 黑体 style
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
)

# Chinese line-breaking rules (GB/T 15834 punctuation; the 禁则 of Chinese typesetting): no closing
# punctuation at the start of a line, no opening punctuation at its end.
NO_LINE_START = set("。，、；：？！）》」』〕】〉”’…—%％·．,.;:?!)]}")
NO_LINE_END = set("（《「『〔【〈“‘([{")


def break_lines(text: str, width: float, measure) -> list[str]:
    """`text` in lines no wider than `width` (measure: a string's width), broken between any two
    characters as Chinese is, but never leaving closing punctuation at a line's start or opening
    punctuation at its end: the character before moves down with it (a line may end a character
    short, as typesetters do)."""
    widths: dict[str, float] = {}
    lines, current, used = [], "", 0.0
    for char in text:
        w = widths.setdefault(char, measure(char))
        if used + w <= width or not current:
            current, used = current + char, used + w
            continue
        carry = char
        while current and (carry[0] in NO_LINE_START or current[-1] in NO_LINE_END) and len(current) > 1:
            carry, current = current[-1] + carry, current[:-1]
        lines.append(current)
        current, used = carry, sum(widths.setdefault(c, measure(c)) for c in carry)
    if current or not lines:
        lines.append(current)
    return lines


def break_text(text: str, width: float, measure) -> str:
    """`text` (which may hold line breaks of its own) with a line break wherever break_lines puts one:
    for table cells, which fpdf2 would otherwise break anywhere."""
    return "\n".join(line for part in (text or "").split("\n") for line in break_lines(part, width, measure))


class PdfUnavailable(DomainError):
    status = 503


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int


def _face_index(path: str) -> int:
    """Inside a font collection, the face for Simplified Chinese (Noto CJK ships JP, KR, SC, TC…)."""
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection
    collection = TTCollection(path, lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            family = str(font["name"].getDebugName(1) or "")
            if family.endswith((" SC", " CN", " GB")) or "Simplified" in family:
                return index
        return 0
    finally:
        collection.close()


@lru_cache(maxsize=4)
def _fonts(regular_setting: str, bold_setting: str) -> tuple[FontFile, FontFile]:
    regular = regular_setting or next((p for p in REGULAR_CANDIDATES if os.path.exists(p)), "")
    if not regular or not os.path.exists(regular):
        raise PdfUnavailable("无法生成 PDF：服务器上没有找到中文字体。请安装 fonts-arphic-uming 和 fonts-wqy-microhei（Debian、Ubuntu），"
                             "或用环境变量 GAZETTE_PDF_FONT 指定一个中文字体文件。")
    bold = bold_setting or next((p for p in BOLD_CANDIDATES if os.path.exists(p)), regular)
    if not os.path.exists(bold):
        bold = regular
    return FontFile(regular, _face_index(regular)), FontFile(bold, _face_index(bold))


def _setting(name: str) -> str:
    return current_app.config.get(name) or os.environ.get(name, "")


def fonts() -> tuple[FontFile, FontFile]:
    """The regular (body) and bold (heading) Chinese font files; PdfUnavailable when there is none."""
    return _fonts(_setting("GAZETTE_PDF_FONT"), _setting("GAZETTE_PDF_FONT_BOLD"))


def add_cjk_fonts(document, regular_family: str = "body", bold_family: str = "heading") -> None:
    """Add the Chinese fonts to an fpdf2 document as `regular_family` (style "") and `bold_family`
    (style "B"), each face parsed once per process and copied for the document."""
    regular, bold = fonts()
    fontcache.add_font(document, regular_family, "", regular.path, regular.index)
    fontcache.add_font(document, bold_family, "B", bold.path, bold.index)


def warm_fonts(app) -> float | None:
    """Parse the Chinese faces now and lay out a small page with them, so that the first PDF a
    user asks for does not pay for it (gunicorn's master calls this before forking its workers,
    which then share the parse). Returns the seconds it took, None when there is no font."""
    from fpdf import FPDF
    started = time.perf_counter()
    with app.app_context():
        try:
            document = FPDF()
            add_cjk_fonts(document)
        except PdfUnavailable:
            log.warning("no Chinese font found: PDFs cannot be made")
            return None
        document.add_page()
        for family in ("body", "heading"):
            document.set_font(family, style="" if family == "body" else "B", size=12)
            document.cell(text="政务公开（预热）。")
        document.output()
    return time.perf_counter() - started


class ReportDocument:
    """A plain A4 report in Chinese: title, paragraphs, tables with optional row fills, page
    numbers. Every text, table cells included, breaks lines by break_lines."""

    def __init__(self, title: str, *, landscape: bool = False, author: str = ""):
        from fpdf import FPDF
        from fpdf.enums import Align

        class _Document(FPDF):
            def footer(self):
                self.set_y(-12)
                self.set_font("body", size=9)
                self.cell(0, 6, f"— {self.page_no()} —", align=Align.C)

        self.pdf = _Document(orientation="L" if landscape else "P", format="A4", unit="mm")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=16)
        add_cjk_fonts(self.pdf)
        self.pdf.set_lang("zh-CN")
        self.pdf.set_title(title)
        self.pdf.set_author(author)
        self.pdf.set_creator("政务公开平台")
        self.pdf.add_page()
        self.width = self.pdf.w - self.pdf.l_margin - self.pdf.r_margin
        self.paragraph(title, size=16, bold=True, center=True, height=10)
        self.pdf.ln(2)

    def paragraph(self, text: str, *, size: float = 10.5, bold: bool = False, center: bool = False,
                  height: float = 6, color: tuple[int, int, int] | None = None) -> None:
        from fpdf.enums import Align, XPos, YPos
        self.pdf.set_font("heading" if bold else "body", style="B" if bold else "", size=size)
        if color:
            self.pdf.set_text_color(*color)
        for line in break_lines(text, self.width, self.pdf.get_string_width):
            self.pdf.cell(self.width, height, line, align=Align.C if center else Align.L,
                          new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(0, 0, 0)

    def table(self, headers: list[str], rows: list[list], widths: list[float] | None = None,
              fills: list[tuple[int, int, int] | None] | None = None, size: float = 9) -> None:
        """A table; `widths` relative column widths, `fills` one background colour per row (or None)."""
        from fpdf.enums import WrapMode
        from fpdf.fonts import FontFace
        widths = widths or [1] * len(headers)
        total = sum(widths)
        columns = [self.width * w / total for w in widths]
        padding = 1.0
        self.pdf.set_font("body", size=size)
        with self.pdf.table(col_widths=tuple(widths), width=self.width, line_height=5, padding=padding,
                            wrapmode=WrapMode.CHAR, text_align="LEFT",
                            headings_style=FontFace(family="heading", emphasis="BOLD")) as table:
            self.pdf.set_font("heading", style="B", size=size)
            row = table.row()
            for text, column in zip(headers, columns):
                row.cell(break_text(str(text), column - 2 * padding - 0.5, self.pdf.get_string_width))
            self.pdf.set_font("body", size=size)
            for index, values in enumerate(rows):
                fill = fills[index] if fills else None
                style = FontFace(fill_color=fill) if fill else None
                row = table.row(style=style)
                for value, column in zip(values, columns):
                    text = "" if value is None else str(value)
                    row.cell(break_text(text, column - 2 * padding - 0.5, self.pdf.get_string_width))
        self.pdf.ln(3)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def pdf_download(data: bytes, filename: str, fallback: str):
    """PDF bytes as a download with a Chinese file name (RFC 6266 / 5987)."""
    from flask import make_response

    from core.exports import attachment_headers
    response = make_response(data)
    response.mimetype = "application/pdf"
    response.headers.update(attachment_headers(filename, fallback))
    return response
