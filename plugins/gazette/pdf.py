"""The PDF of an issue: cover, table of contents with page numbers, then every article on its own
pages, with bookmarks. Chinese text is set in an embedded (subset) CJK font, so it displays and
extracts correctly everywhere.

The PDF is cached in the attachments folder under gazette/, keyed by a fingerprint of everything
it prints: viewing a draft's preview twice generates it once, editing the draft makes the next
preview regenerate, and publication reuses the preview. A published issue's fingerprint never
changes (its content is frozen), so its file is made once, or again only if the file was lost.

Fonts, their parse-once cache and Chinese line breaking come from core (core/pdf.py, through
core.plugin_api): the catalog's supervision reports use the same.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from flask import current_app

# NO_LINE_END, NO_LINE_START, PdfUnavailable and fonts are read here by the gazette's views and tests.
from core.plugin_api import (NO_LINE_END, NO_LINE_START, PdfUnavailable, add_cjk_fonts, break_lines,  # noqa: F401
                             break_text, db, pdf_fonts as fonts)
from plugins.gazette.models import GazetteArticle, GazetteIssue

LAYOUT_VERSION = "4"   # bump when the layout changes: every cached PDF is then made again

RED = (200, 16, 32)
GREY = (110, 110, 110)
BODY_SIZE = 12
LINE = 7.2            # mm per body line
TABLE_PADDING = 1.0   # mm inside each table cell
INDENT = "\u3000\u3000"
# --- the article body: sanitized HTML to blocks -------------------------------------------------

@dataclass
class Block:
    kind: str                       # "p", "h", "li", "table"
    text: str = ""
    rows: list | None = None


class _Blocks(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "section", "article"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.text: list[str] = []
        self.kind = "p"
        self.rows: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.depth = 0                     # tables inside tables: their text joins the outer cell
        self.caption: list[str] | None = None
        self.list_stack: list[list] = []   # [ordered, counter]

    def _flush(self) -> None:
        text = "".join(self.text).strip()
        self.text = []
        if text:
            self.blocks.append(Block(self.kind, text))
        self.kind = "p"

    def _sink(self) -> list[str]:
        if self.caption is not None:
            return self.caption
        return self.cell if self.cell is not None else self.text

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self._flush()
                self.rows = []
            elif self.cell is not None:
                self.cell.append(" ")
        elif self.depth > 1:
            if self.cell is not None and tag in ("td", "th", "tr", "br", "p", "li"):
                self.cell.append(" ")
        elif tag == "caption" and self.rows is not None:
            self.caption = []
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
        elif tag in ("td", "th") and self.rows is not None:
            self.cell = []
        elif tag == "br":
            self._sink().append("\n")
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_stack.append([tag == "ol", 0])
        elif tag in self.BLOCKS and self.cell is None:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.kind = "h"
            elif tag == "li":
                self.kind = "li"
                if self.list_stack:
                    self.list_stack[-1][1] += 1
                    ordered, count = self.list_stack[-1]
                    self.text.append(f"{count}．" if ordered else "· ")

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
            if self.depth == 0 and self.rows is not None:
                rows = [r for r in self.rows if r]
                if rows:
                    self.blocks.append(Block("table", rows=rows))
                self.rows, self.cell = None, None
        elif self.depth > 1:
            return
        elif tag == "caption" and self.caption is not None:
            text = "".join(self.caption).strip()
            self.caption = None
            if text:
                self.blocks.append(Block("h", text))
        elif tag in ("td", "th") and self.rows is not None and self.cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append(" ".join("".join(self.cell).split(" ")).strip())
            self.cell = None
        elif tag in ("ul", "ol"):
            self._flush()
            if self.list_stack:
                self.list_stack.pop()
        elif tag in self.BLOCKS and self.cell is None and self.rows is None:
            self._flush()

    def handle_data(self, data):
        self._sink().append(data)

    def close(self):
        super().close()
        self._flush()


def blocks(html: str) -> list[Block]:
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


def _fits_a_page(block: Block) -> bool:
    """Whether every row of a table can fit on one page (fpdf2 cannot split a row across pages).
    Conservative: a cell of a narrow column holds about 9 characters per line, 40 lines per page."""
    columns = max(len(r) for r in block.rows)
    per_line = max(int(80 / columns), 4)
    return all(len(cell) / per_line < 38 for row in block.rows for cell in row)


# --- fingerprint and cache ----------------------------------------------------------------------

def cover_text(issue: GazetteIssue) -> tuple[str, str]:
    """The gazette's name and editing unit as the issue prints them."""
    if issue.is_published and issue.gazette_name:
        return issue.gazette_name, issue.editing_unit
    from plugins.gazette.services import gazette_for
    gazette = gazette_for(issue.tenant, create=False)
    return gazette.name, gazette.editing_unit


def fingerprint(issue: GazetteIssue) -> str:
    """A hash of everything the PDF prints (and of the layout and font), nothing else."""
    name, unit = cover_text(issue)
    regular, bold = fonts()
    content = {
        "layout": LAYOUT_VERSION, "font": [regular.path, regular.index, bold.path, bold.index],
        "cover": [name, unit, issue.year, issue.number, issue.total_number, issue.published_on.isoformat(),
                  issue.editor_note, issue.sections],
        "articles": [[a.id, a.section, a.title, a.doc_no, a.issuers, a.written_date and a.written_date.isoformat(),
                      a.body, [x.filename for x in a.attachments], _corrects_label(a)] for a in issue.articles],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _corrects_label(article: GazetteArticle) -> str:
    original = article.corrects
    if original is None:
        return ""
    return f"更正：{original.issue.short_label}《{original.title}》"


def storage_dir() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"]) / "gazette"


def cached_path(issue: GazetteIssue) -> Path | None:
    """The issue's PDF if it exists and is current, without generating anything."""
    if not issue.pdf_file or issue.pdf_fingerprint != fingerprint(issue):
        return None
    path = storage_dir() / issue.pdf_file
    return path if path.exists() else None


def ensure_pdf(issue: GazetteIssue) -> Path:
    """The issue's current PDF, generated only when the content changed (or the file is missing).
    Requests for the same issue wait for one another instead of rendering it twice."""
    path = cached_path(issue)
    if path is not None:
        return path
    digest = fingerprint(issue)
    folder = storage_dir() / str(issue.tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    with _render_lock(folder / f"{issue.id}.lock"):
        if issue.id is not None and not db.session.is_modified(issue):
            # Another request may have made it while we waited: read what it committed.
            db.session.refresh(issue, attribute_names=["pdf_fingerprint", "pdf_file", "pdf_pages", "pdf_size"])
            path = cached_path(issue)
            if path is not None:
                return path
        return _write(issue, digest, folder)


@contextmanager
def _render_lock(path: Path):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux: no cross-process lock, at worst a second render
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(issue: GazetteIssue, digest: str, folder: Path) -> Path:
    data, pages, ranges = render(issue)
    name = f"{issue.tenant_id}/{issue.id}-{digest[:16]}.pdf"
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, storage_dir() / name)
    previous = issue.pdf_file
    issue.pdf_fingerprint, issue.pdf_file, issue.pdf_pages, issue.pdf_size = digest, name, pages, len(data)
    for article in issue.articles:
        article.page_start, article.page_end = ranges.get(article.id, (None, None))
    if previous and previous != name:
        (storage_dir() / previous).unlink(missing_ok=True)
    current_app.extensions.setdefault("gazette_pdf_renders", []).append(issue.id)  # for tests and logs
    return storage_dir() / name


# --- rendering ----------------------------------------------------------------------------------

def _long_date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def render(issue: GazetteIssue) -> tuple[bytes, int, dict[int, tuple[int, int]]]:
    """The PDF bytes, its page count, and each article's (first page, last page).

    Two passes: the first lays the articles out behind a table of contents of estimated length to
    learn their pages, the second prints the contents with those page numbers. Articles start on
    a new page, so their pages move exactly with the length of the contents."""
    toc_pages = _estimate_toc_pages(issue)
    _, base, _ = _render(issue, toc_pages, None)
    base = {key: (first - toc_pages, last - toc_pages) for key, (first, last) in base.items()}
    for _ in range(4):
        ranges = {key: (first + toc_pages, last + toc_pages) for key, (first, last) in base.items()}
        pdf, ranges, used = _render(issue, toc_pages, ranges)
        if used == toc_pages:
            return bytes(pdf.output()), pdf.pages_count, ranges
        toc_pages = used
    raise RuntimeError("the table of contents does not settle")  # pragma: no cover


def _estimate_toc_pages(issue: GazetteIssue) -> int:
    """Pages the table of contents takes, in millimetres of the layout below (usually exact)."""
    height = 18 + 11 * len(issue.table_of_contents())
    for article in issue.articles:
        height += 7 * math.ceil(len(article.title) / 32) + (6 if article.doc_no else 0)
    return max(1, math.ceil(height / 238))


def _render(issue: GazetteIssue, toc_pages: int, pages_of: dict[int, tuple[int, int]] | None):
    from fpdf import FPDF
    from fpdf.enums import Align, WrapMode, XPos, YPos
    from fpdf.fonts import FontFace

    name, unit = cover_text(issue)

    class IssuePdf(FPDF):
        def header(self):
            if self.page_no() == 1:
                return
            self.set_font("body", size=9)
            self.set_text_color(*GREY)
            self.cell(0, 6, f"{name}　{issue.short_label}", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_draw_color(*RED)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.set_draw_color(0, 0, 0)
            self.set_text_color(0, 0, 0)
            self.ln(6)

        def footer(self):
            if self.page_no() == 1:
                return
            self.set_y(-16)
            self.set_font("body", size=10)
            self.set_text_color(*GREY)
            self.cell(0, 8, f"— {self.page_no()} —", align=Align.C)
            self.set_text_color(0, 0, 0)

    pdf = IssuePdf(format="A4", unit="mm")
    pdf.set_margins(26, 22, 26)
    pdf.set_auto_page_break(True, margin=22)
    # Each face is parsed once per process and copied per document (core/fontcache.py).
    # The bold face is added once, as "heading", table headings included: fpdf2 subsets and embeds
    # every font added to a document, used or not.
    add_cjk_fonts(pdf, "body", "heading")
    pdf.set_lang("zh-CN")
    pdf.set_title(f"{name} {issue.label}")
    pdf.set_author(unit)
    pdf.set_subject("政府公报")
    pdf.set_creator("青岚政务公开平台")
    if issue.published_at:
        pdf.set_creation_date(issue.published_at)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def para(text: str, size: float = BODY_SIZE, *, family: str = "body", style: str = "", align=Align.L,
             height: float = LINE) -> None:
        pdf.set_font(family, style=style, size=size)
        for line in break_lines(text, width, pdf.get_string_width):
            pdf.cell(width, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # Cover.
    pdf.add_page()
    pdf.set_text_color(*RED)
    pdf.set_y(58)
    para(name, 30, family="heading", style="B", align=Align.C, height=16)
    pdf.ln(4)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(10)
    para(issue.label, 16, align=Align.C, height=10)
    para(f"（{_long_date(issue.published_on)}出版）", 12, align=Align.C, height=8)
    pdf.set_y(-60)
    para(f"{unit}　编印", 12, align=Align.C, height=8)
    para("本刊刊登的规章和规范性文件文本为标准文本", 10, align=Align.C, height=7)

    # Contents: blank pages of the estimated length in the first pass, the real thing in the second.
    pdf.add_page()
    toc_start = pdf.page_no()
    if pages_of is None:
        for _ in range(toc_pages - 1):
            pdf.add_page()
    else:
        para("目　录", 20, family="heading", style="B", align=Align.C, height=14)
        pdf.ln(4)
        for section, articles in issue.table_of_contents():
            pdf.ln(2)
            para(f"【{section}】", 13, family="heading", style="B", height=9)
            for article in articles:
                page = pages_of[article.id][0]
                link = pdf.add_link(page=page)
                pdf.set_font("body", size=12)
                lines = break_lines(article.title, width - 18, pdf.get_string_width)
                for i, line in enumerate(lines):
                    last = i == len(lines) - 1
                    pdf.cell(width - 18, 7, line, link=link, new_x=XPos.RIGHT if last else XPos.LMARGIN,
                             new_y=YPos.TOP if last else YPos.NEXT)
                pdf.cell(18, 7, str(page), align=Align.R, link=link, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                if article.doc_no:
                    pdf.set_font("body", size=10)
                    pdf.set_text_color(*GREY)
                    pdf.cell(width - 18, 6, article.doc_no, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                    pdf.set_text_color(0, 0, 0)
    toc_used = pdf.page_no() - toc_start + 1

    if issue.editor_note:
        pdf.add_page()
        para("编者按", 16, family="heading", style="B", align=Align.C, height=12)
        pdf.ln(3)
        for line in issue.editor_note.splitlines():
            if line.strip():
                para(INDENT + line.strip())

    ranges: dict[int, tuple[int, int]] = {}
    table_style = FontFace(family="heading", emphasis="BOLD")
    for section, articles in issue.table_of_contents():
        for index, article in enumerate(articles):
            pdf.add_page()
            if index == 0:
                pdf.start_section(section, level=0)
                para(f"【{section}】", 14, family="heading", style="B", align=Align.C, height=10)
                pdf.ln(4)
            first = pdf.page_no()
            pdf.start_section(article.title[:120], level=1)
            para(article.title, 18, family="heading", style="B", align=Align.C, height=11)
            pdf.ln(2)
            if article.doc_no:
                para(article.doc_no, 12, align=Align.C, height=8)
            corrects = _corrects_label(article)
            if corrects:
                para(corrects, 11, align=Align.C, height=8)
            pdf.ln(4)
            for block in blocks(article.body):
                if block.kind == "h":
                    para(block.text, 13, family="heading", style="B", height=8.5)
                elif block.kind == "table" and _fits_a_page(block):
                    columns = max(len(r) for r in block.rows)
                    headed = len(block.rows) > 1
                    # Lines broken here by the rules of Chinese typesetting, in the font each row is
                    # printed in: fpdf2's own wrapping (CHAR) breaks anywhere, before 。 or after 《.
                    cell_width = width / columns - 2 * TABLE_PADDING - 0.5
                    with pdf.table(wrapmode=WrapMode.CHAR, headings_style=table_style, line_height=6,
                                   text_align="LEFT", first_row_as_headings=headed, padding=TABLE_PADDING) as table:
                        for number, cells in enumerate(block.rows):
                            if number == 0 and headed:
                                pdf.set_font("heading", style="B", size=10)
                            else:
                                pdf.set_font("body", size=10)
                            row = table.row()
                            for cell in cells + [""] * (columns - len(cells)):
                                row.cell(break_text(cell, cell_width, pdf.get_string_width))
                    pdf.set_font("body", size=10)
                    pdf.ln(2)
                elif block.kind == "table":  # a cell taller than a page: one paragraph per row
                    for cells in block.rows:
                        para("　".join(c for c in cells if c))
                else:
                    for line in block.text.split("\n"):
                        if line.strip():
                            para((INDENT if block.kind == "p" else "") + line.strip())
            if article.attachments:
                pdf.ln(3)
                para("附件：" + "；".join(f"{i}．{a.filename}" for i, a in enumerate(article.attachments, 1)))
            if article.issuers or article.written_date:
                pdf.ln(6)
                for issuer in article.issuers or []:
                    para(issuer, align=Align.R)
                if article.written_date:
                    para(_long_date(article.written_date), align=Align.R)
            ranges[article.id] = (first, pdf.page_no())
    return pdf, ranges, toc_used
