"""The PDF of an issue: Chinese text that extracts, contents with the right pages, caching."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from urllib.parse import quote

from pypdf import PdfReader
from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import pdf, services
from plugins.gazette.models import GazetteArticle, GazetteIssue
from tests.gazette.fixtures import make_issue

ARTICLES = [
    {"section": "规范性文件", "title": "青岚县人民政府关于印发《青岚县农村危房改造补助资金管理办法》的通知",
     "doc_no": "青政发〔2024〕7号", "issuers": ["青岚县人民政府"], "written_date": "2024-03-01",
     "body": "<p>各乡镇人民政府：</p><p>现将《青岚县农村危房改造补助资金管理办法》印发给你们，请认真贯彻执行。</p>"
             "<h3>第一章　总则</h3><ol><li>第一条　为规范补助资金管理，制定本办法。</li></ol>"
             "<table><tr><th>类别</th><th>补助标准</th></tr><tr><td>C级危房</td><td>每户1.5万元</td></tr></table>"},
    {"section": "人事任免", "title": "青岚县人民政府关于张明等同志职务任免的通知", "doc_no": "青政任〔2024〕2号",
     "issuers": ["青岚县人民政府"], "body": "<p>任命张明为青岚县教育体育局局长。</p>" * 60},
    {"section": "规范性文件", "title": "青岚县财政局 青岚县民政局关于做好困难群众救助资金发放工作的通知",
     "doc_no": "青财发〔2024〕15号", "issuers": ["青岚县财政局", "青岚县民政局"],
     "body": "<p>一卡通发放。</p>"},
]


def _flat(text: str) -> str:
    """Extracted PDF text without the spaces and line breaks a PDF puts between glyphs."""
    return re.sub(r"\s+", "", text)


def _issue(issue_id: int) -> GazetteIssue:
    return db.session.get(GazetteIssue, issue_id)


def test_every_title_and_doc_no_can_be_extracted_from_the_pdf_on_its_pages(demo):
    with demo.app_context():
        issue_id = make_issue(year=2024, number=3, articles=ARTICLES, editor_note="本期刊登三件文件。")
        with tenant_scope(tenant_by_slug("qinglan")):
            issue = _issue(issue_id)
            path = pdf.ensure_pdf(issue)
            db.session.commit()
            reader = PdfReader(io.BytesIO(path.read_bytes()))
            pages = [_flat(page.extract_text()) for page in reader.pages]
            assert len(pages) == issue.pdf_pages
            assert "青岚县人民政府公报" in pages[0] and "2024年第3期（总第291期）" in pages[0]
            assert "目录" in pages[1]
            for article in issue.articles:
                # The title and 文号 are printed on the article's first page, and listed in the contents.
                first = pages[article.page_start - 1]
                assert _flat(article.title) in first, article.title
                assert article.doc_no in first
                assert _flat(article.title) in pages[1] and article.doc_no in pages[1]
                assert str(article.page_start) in pages[1]
            long_one = next(a for a in issue.articles if a.section == "人事任免")
            assert long_one.page_end > long_one.page_start  # sixty paragraphs span pages
            assert "每户1.5万元" in "".join(pages)       # table cells too
            outline = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
            assert outline == ["规范性文件", "人事任免"]   # the print order of sections


def test_sections_print_in_the_issue_order_and_articles_in_their_order(demo):
    with demo.app_context():
        issue_id = make_issue(year=2024, number=4, articles=ARTICLES, sections=["人事任免", "规范性文件"])
        with tenant_scope(tenant_by_slug("qinglan")):
            issue = _issue(issue_id)
            order = [a.title for a in issue.articles]
            assert order[0] == ARTICLES[1]["title"]
            services.move_article(SYSTEM, issue.articles[2], -1)
            db.session.commit()
            db.session.expire_all()
            assert [a.title for a in _issue(issue_id).articles] == [order[0], order[2], order[1]]


def test_the_pdf_is_made_once_and_again_only_when_the_draft_changes(demo):
    with demo.app_context():
        issue_id = make_issue(year=2024, number=5, articles=ARTICLES[:1])
        renders = demo.extensions.setdefault("gazette_pdf_renders", [])
        renders.clear()
        with tenant_scope(tenant_by_slug("qinglan")):
            issue = _issue(issue_id)
            first = pdf.ensure_pdf(issue)
            db.session.commit()
            assert pdf.ensure_pdf(issue) == first
            assert renders == [issue_id]
            services.update_article(SYSTEM, issue.articles[0], {"title": "青岚县人民政府关于印发《青岚县改过的办法》的通知"})
            db.session.commit()
            assert pdf.cached_path(issue) is None
            second = pdf.ensure_pdf(issue)
            db.session.commit()
            assert second != first and not first.exists()   # the stale file is removed
            assert "改过的办法" in _flat(PdfReader(second).pages[2].extract_text())
            services.publish_issue(SYSTEM, issue)  # publication reuses the preview
            db.session.commit()
            assert renders == [issue_id, issue_id]
            assert issue.pdf_file and (pdf.storage_dir() / issue.pdf_file).exists()


def test_public_pdf_download_and_admin_preview(demo, client, auth):
    with demo.app_context():
        published = make_issue(year=2024, number=6, articles=ARTICLES[:1], publish=True)
        draft = make_issue(year=2024, number=7, articles=ARTICLES[:1])
    response = client.get("/qinglan/gazette/2024/6.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "inline" in response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]          # named in Chinese (RFC 6266)
    assert quote("2024") in response.headers["Content-Disposition"]
    assert client.get("/qinglan/gazette/2024/7.pdf").status_code == 404   # drafts are not public
    auth.login("zheng")
    preview = client.get(f"/admin/qinglan/gazette/issues/{draft}/preview.pdf")
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")
    assert preview.headers["Cache-Control"] == "no-store"
    assert f"filename*=UTF-8''{quote('青岚县人民政府公报2024年第7期（预览）.pdf')}" in preview.headers["Content-Disposition"]
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        article = db.session.scalar(select(GazetteArticle).where(GazetteArticle.issue_id == published))
        assert article.page_start == 3   # cover, contents, then the article


def test_without_a_chinese_font_the_editor_gets_a_clear_message(demo, client, auth, runner):
    from tests.gazette.fixtures import token
    demo.config["GAZETTE_PDF_FONT"] = "/nonexistent/font.ttc"
    with demo.app_context():
        issue_id = make_issue(year=2024, number=8, articles=ARTICLES[:1])
    auth.login("zheng")
    page = client.get(f"/admin/qinglan/gazette/issues/{issue_id}/preview.pdf", follow_redirects=True)
    assert "没有找到中文字体" in page.get_data(as_text=True)
    headers = token(runner, "zheng")
    answer = client.post(f"/api/v1/tenants/qinglan/gazette/issues/{issue_id}/publish", headers=headers)
    assert answer.status_code == 503 and "GAZETTE_PDF_FONT" in answer.get_json()["error"]
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert _issue(issue_id).status == "draft"   # nothing half-done


def test_body_html_becomes_blocks():
    blocks = pdf.blocks("<h2>一、总则</h2><p>第一段<br>第二行</p><ul><li>甲</li><li>乙</li></ul>"
                        "<ol><li>丙</li></ol><table><tr><td>a</td><td>b</td></tr></table><p></p>")
    assert [(b.kind, b.text) for b in blocks if b.kind != "table"] == [
        ("h", "一、总则"), ("p", "第一段\n第二行"), ("li", "· 甲"), ("li", "· 乙"), ("li", "1．丙")]
    assert blocks[-1].rows == [["a", "b"]]


# --- fonts parsed once per process (core/fontcache.py) ------------------------------

# Characters in one issue's article and not the other's (nor in anything else either prints).
ONLY_FIRST, ONLY_SECOND = "鳌鹦鹉麒麟", "骆驼貔貅饕餮"


def _own_issue(number: int, rare: str) -> int:
    return make_issue(year=2024, number=number, articles=[{
        "section": "规范性文件", "title": f"青岚县人民政府关于{rare}的通知", "doc_no": f"青政发〔2024〕{number}号",
        "issuers": ["青岚县人民政府"], "body": f"<p>{rare}。</p><table><tr><th>甲</th><th>{rare}</th></tr></table>"}])


def _render(issue_id: int) -> bytes:
    with tenant_scope(tenant_by_slug("qinglan")):
        return pdf.render(_issue(issue_id))[0]


def _stock_add_font(document, family, style, path, index=0):
    """fpdf2's own add_font(): the font parsed again for every document, as before the cache."""
    document.add_font(family, style, path, collection_font_number=index)


def _unicode_map(stream: bytes) -> set[str]:
    """The characters a ToUnicode CMap maps codes to (fpdf2 writes them as <code> <UTF-16BE>)."""
    text = stream.decode("latin-1")
    return {bytes.fromhex(target).decode("utf-16-be") for target in re.findall(r"<[0-9A-F]+> <([0-9A-F]+)>", text)}


def _what_a_reader_gets(data: bytes) -> dict:
    """Everything of a PDF that decides what is shown and extracted: each page's text and content
    stream, and each font's widths, character maps, and embedded glyphs (outline points, which of
    them are on the curve, contour ends, advance widths) in glyph id order."""
    from fontTools.ttLib import TTFont
    reader = PdfReader(io.BytesIO(data))
    pages, fonts = [], {}
    for page in reader.pages:
        pages.append((_flat(page.extract_text()), page.get_contents().get_data()))
        for name, ref in page["/Resources"]["/Font"].items():
            font = ref.get_object()
            cid = font["/DescendantFonts"][0].get_object()
            embedded = TTFont(io.BytesIO(cid["/FontDescriptor"]["/FontFile2"].get_data()))
            glyf, hmtx = embedded["glyf"], embedded["hmtx"]
            glyphs = []
            for glyph_name in embedded.getGlyphOrder():
                coordinates, ends, flags = glyf[glyph_name].getCoordinates(glyf)
                glyphs.append((list(coordinates), list(ends), [f & 1 for f in flags], hmtx[glyph_name][0]))
            fonts[name] = {"base": font["/BaseFont"], "widths": list(cid["/W"]),
                           "to_unicode": font["/ToUnicode"].get_object().get_data(),
                           "cid_to_gid": cid["/CIDToGIDMap"].get_object().get_data(), "glyphs": glyphs}
    return {"pages": pages, "fonts": fonts}


def test_the_font_cache_changes_nothing_a_reader_sees(demo, monkeypatch):
    """A PDF made with the parsed-once fonts shows and extracts exactly what fpdf2's own add_font()
    gives: the same text, content streams, widths, character maps and glyph outlines."""
    from core import fontcache
    with demo.app_context():
        issue_id = make_issue(year=2024, number=9, articles=ARTICLES)
        cached = _render(issue_id)
        monkeypatch.setattr(fontcache, "add_font", _stock_add_font)
        stock = _render(issue_id)
    got, expected = _what_a_reader_gets(cached), _what_a_reader_gets(stock)
    assert got["pages"] == expected["pages"]
    assert got["fonts"].keys() == expected["fonts"].keys() and len(got["fonts"]) == 2   # body, heading
    for name, font in expected["fonts"].items():
        assert got["fonts"][name] == font, name
    assert "每户1.5万元" in "".join(text for text, _ in got["pages"])


def test_a_document_embeds_only_its_own_glyphs_whatever_was_rendered_before(demo):
    """Subset state is per document: the second of two PDFs rendered one after the other in one
    process has its own text and only its own glyphs, the same as when it is rendered first."""
    with demo.app_context():
        first_id, second_id = _own_issue(10, ONLY_FIRST), _own_issue(11, ONLY_SECOND)
        second_alone = _what_a_reader_gets(_render(second_id))
        first, second = _render(first_id), _render(second_id)
    first, second = _what_a_reader_gets(first), _what_a_reader_gets(second)
    text_of = {"first": "".join(t for t, _ in first["pages"]), "second": "".join(t for t, _ in second["pages"])}
    assert ONLY_FIRST in text_of["first"] and ONLY_SECOND not in text_of["first"]
    assert ONLY_SECOND in text_of["second"] and ONLY_FIRST not in text_of["second"]
    mapped = {which: set().union(*(_unicode_map(f["to_unicode"]) for f in doc["fonts"].values()))
              for which, doc in (("first", first), ("second", second))}
    assert set(ONLY_FIRST) <= mapped["first"] and not set(ONLY_SECOND) & mapped["first"]
    assert set(ONLY_SECOND) <= mapped["second"] and not set(ONLY_FIRST) & mapped["second"]
    assert second == second_alone   # glyph for glyph, width for width


def test_each_font_face_is_parsed_once_for_every_render_in_the_process(demo, monkeypatch):
    import fpdf.fpdf
    from fpdf.fonts import TTFFont

    from core import fontcache

    parsed = []

    class CountedTTFFont(TTFFont):   # what FPDF.add_font() builds: one per parse of a font file
        __slots__ = ()

        def __init__(self, document, path, *args, **kwargs):
            parsed.append(os.path.realpath(path))
            super().__init__(document, path, *args, **kwargs)

    monkeypatch.setattr(fpdf.fpdf, "TTFFont", CountedTTFFont)
    with demo.app_context():
        regular, bold = pdf.fonts()
        faces = {(regular.path, regular.index), (bold.path, bold.index)}
        first_id, second_id = _own_issue(12, ONLY_FIRST), _own_issue(13, ONLY_SECOND)
        fontcache.clear()
        _render(first_id)
        assert len(parsed) == len(faces)   # each face once, although the PDF is laid out twice
        _render(second_id)
        _render(first_id)
        assert sorted(parsed) == sorted(os.path.realpath(path) for path, _ in faces)


def test_threads_share_one_parse_and_each_gets_its_own_document(demo, monkeypatch):
    """gunicorn threads: the first parse happens once under a lock while the others wait, and
    documents made at the same time from the shared parse keep their own glyphs."""
    import threading

    from fpdf import FPDF

    from core import fontcache
    with demo.app_context():
        regular, _ = pdf.fonts()
    texts = ["鳌鹦鹉一", "麒麟二", "骆驼貔貅三", "饕餮四"]
    barrier, results, errors = threading.Barrier(len(texts)), {}, []

    def make(text: str) -> None:
        try:
            document = FPDF()
            barrier.wait()
            fontcache.add_font(document, "body", "", regular.path, regular.index)
            document.add_page()
            document.set_font("body", size=14)
            document.cell(text=text)
            results[text] = bytes(document.output())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    fontcache.clear()
    parses = []
    real_parse = fontcache._parse
    monkeypatch.setattr(fontcache, "_parse", lambda *args: parses.append(args) or real_parse(*args))
    threads = [threading.Thread(target=make, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(parses) == 1
    for text, data in results.items():
        reader = PdfReader(io.BytesIO(data))
        assert _flat(reader.pages[0].extract_text()) == text
        font = reader.pages[0]["/Resources"]["/Font"]["/F1"].get_object()
        mapped = _unicode_map(font["/ToUnicode"].get_object().get_data())
        assert {c for c in mapped if "\u4e00" <= c <= "\u9fff"} == set(text)   # besides .notdef and space


# --- Chinese line breaking (issue 18, point 10) ---------------------------------------------------
# The rules of Chinese typesetting (W3C, Requirements for Chinese Text Layout, 3.1.7 行首行尾禁则;
# punctuation marks as in GB/T 15834-2011 标点符号用法): closing punctuation never starts a line,
# opening punctuation never ends one.

def test_closing_punctuation_never_starts_a_line_nor_opening_ends_one():
    one = lambda s: float(len(s))         # every character one unit wide: lines of 10
    assert pdf.break_lines("一二三四五六七八九十。十一", 10, one) == ["一二三四五六七八九", "十。十一"]
    assert pdf.break_lines("一二三四五六七八九《十》", 10, one) == ["一二三四五六七八九", "《十》"]
    assert pdf.break_lines("关于印发《一二三四五》的通知", 9, one) == ["关于印发《一二三四", "五》的通知"]
    assert pdf.break_lines("关于印发《一二三四》的通知", 9, one) == ["关于印发《一二三", "四》的通知"]
    # "……" and "——" stay whole; every character still printed once, in order
    text = "第一条　为规范管理，制定本办法。" * 7 + "《青岚县办法》……"
    lines = pdf.break_lines(text, 10, one)
    assert "".join(lines) == text and all(len(line) <= 11 for line in lines)
    assert not [line for line in lines[1:] if line[0] in pdf.NO_LINE_START]
    assert not [line for line in lines[:-1] if line[-1] in pdf.NO_LINE_END]


def test_no_line_of_the_printed_issue_starts_with_closing_punctuation(demo):
    """The finding: "。" and "》的通知" at the start of lines of the gazette PDF."""
    body = "".join(f"<p>{'根据' * n}《青岚县农村公路养护管理办法》的规定，现将有关事项通知如下。请认真贯彻执行。</p>"
                   for n in range(1, 30))
    with demo.app_context():
        issue_id = make_issue(year=2024, number=9, articles=[{
            "section": "规范性文件", "title": "青岚县人民政府办公室关于印发《青岚县农村公路养护管理办法（试行）》的通知",
            "doc_no": "青政办发〔2024〕9号", "issuers": ["青岚县人民政府办公室"], "body": body}])
        with tenant_scope(tenant_by_slug("qinglan")):
            path = pdf.ensure_pdf(_issue(issue_id))
            db.session.commit()
    lines = [line.strip() for page in PdfReader(io.BytesIO(path.read_bytes())).pages
             for line in page.extract_text().split("\n")
             if line.strip() and not re.fullmatch(r"— \d+ —", line.strip())]       # the page numbers
    assert len(lines) > 60
    assert [line for line in lines if line[0] in pdf.NO_LINE_START] == []
    assert [line for line in lines if line[-1] in pdf.NO_LINE_END] == []


def test_table_cells_follow_the_line_breaking_rules_too(demo):
    """Issue 18, point 10: fpdf2's own wrapping broke table cells anywhere, "。" or "》" at a line's
    start; cells are now broken by break_lines as the body is (W3C clreq 3.1.7)."""
    cell = "根据《青岚县农村公路养护管理办法》的规定，各镇（街道）负责辖区内村道的日常养护。" * 2
    body = f"<table><tr><th>项目</th><th>说明</th><th>依据</th></tr><tr><td>村道养护</td><td>{cell}</td><td>{cell}</td></tr></table>"
    with demo.app_context():
        issue_id = make_issue(year=2024, number=9, articles=[{
            "section": "规范性文件", "title": "青岚县人民政府关于村道养护的通知", "doc_no": "青政发〔2024〕9号",
            "issuers": ["青岚县人民政府"], "body": body}])
        data = _render(issue_id)
    lines = [line.strip() for page in PdfReader(io.BytesIO(data)).pages
             for line in page.extract_text().split("\n")
             if line.strip() and not re.fullmatch(r"— \d+ —", line.strip())]       # the page numbers
    cell_lines = [line for line in lines if "养护" in line or "办法" in line or "街道" in line]
    assert len(cell_lines) > 6
    assert [line for line in lines if line[0] in pdf.NO_LINE_START] == []
    assert [line for line in lines if line[-1] in pdf.NO_LINE_END] == []
    one = lambda s: float(len(s))
    assert pdf.break_text("一二三四五六七八九。\n十", 9, one) == "一二三四五六七八\n九。\n十"


def test_fonts_warmed_at_start_up_are_not_parsed_again_by_the_first_pdf(demo, monkeypatch):
    """Issue 18, point 10: the first PDF of an installation is no slower than later ones. gunicorn's
    master warms the fonts before forking (deploy/gunicorn.conf.py when_ready); after that the
    first render parses nothing."""
    from core import fontcache
    from core.pdf import warm_fonts
    fontcache.clear()
    assert warm_fonts(demo) is not None
    parses = []
    real_parse = fontcache._parse
    monkeypatch.setattr(fontcache, "_parse", lambda *args: parses.append(args) or real_parse(*args))
    with demo.app_context():
        _render(_own_issue(14, ONLY_FIRST))
    assert parses == []
    gunicorn_conf = (Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8")
    assert "def when_ready(server)" in gunicorn_conf and "warm_fonts(server.app.wsgi())" in gunicorn_conf
