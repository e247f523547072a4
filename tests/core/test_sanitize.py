"""The one sanitizer against 708 public XSS vectors, and the masking of personal data."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.masking import mask_contact, mask_email, mask_id_number, mask_name, mask_phone
from core.sanitize import ALLOWED_TAGS, OWN_ATTACHMENT_SRC, clean_html, plain_text, text_to_html

# Copied unchanged from ../shared/fixtures/xss (PayloadsAllTheThings, MIT; see its LICENSE).
XSS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "xss"
# One vector per "\n"-terminated line (some vectors contain other line-separator characters).
LINES = [line for f in sorted(XSS_DIR.glob("*.txt")) for line in f.read_text(encoding="utf-8").split("\n")[:-1]]
VECTORS = [line for line in LINES if line.strip()]


class _Audit(HTMLParser):
    """Collects everything in sanitized output that a browser could execute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name in {"style", "srcdoc", "formaction", "xlink:href", "background"}:
                self.problems.append(f"attribute {name}")
            if name == "href":
                # What a browser takes as the scheme: leading controls and spaces stripped, tabs and
                # newlines removed anywhere (WHATWG URL parsing).
                url = re.sub(r"[\t\n\r]", "", value.lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f \x1f"))
                scheme = re.match(r"^([a-z][a-z0-9+.-]*):", url)
                if scheme and scheme.group(1) not in {"http", "https", "mailto"}:
                    self.problems.append(f"href {value}")
            if name == "src" and not OWN_ATTACHMENT_SRC.match(value):
                self.problems.append(f"src {value}")

    handle_startendtag = handle_starttag


def test_the_vector_files_are_all_there():
    assert len(LINES) == 708


@pytest.mark.parametrize("vector", VECTORS)
def test_no_vector_survives_and_cleaning_is_idempotent(vector):
    cleaned = clean_html(vector)
    audit = _Audit()
    audit.feed(cleaned)
    audit.close()
    assert audit.problems == [], cleaned
    assert "<script" not in cleaned.lower()
    assert clean_html(cleaned) == cleaned


def test_government_document_markup_survives():
    html = ('<h2>一、总则</h2><p>第一条 为了<strong>规范</strong>管理……</p>'
            '<ol><li>甲</li><li>乙</li></ol>'
            '<table><caption>补贴标准</caption><thead><tr><th scope="col">类别</th></tr></thead>'
            '<tbody><tr><td colspan="2">一类</td></tr></tbody></table>'
            '<p><a href="https://www.gov.cn/zhengce/">国务院政策</a> <a href="mailto:zwgk@example.cn">来信</a></p>'
            '<p><img src="/qinglan/baishui/files/0123456789abcdef0123456789abcdef/图.png" alt="示意图"></p>')
    assert clean_html(html) == html


@pytest.mark.parametrize("dirty, clean", [
    ('<p style="color:red" class="x" onclick="a()">文</p>', "<p>文</p>"),
    ('<a href="javascript:alert(1)">链接</a>', "<a>链接</a>"),
    ('<a href="data:text/html,<script>alert(1)</script>">链接</a>', "<a>链接</a>"),
    ('<img src="https://evil.example/x.png" alt="x">', '<img alt="x">'),
    ("<iframe src=//evil></iframe>正文", "正文"),
    ("<svg onload=alert(1)><text>图</text></svg>后文", "后文"),
    ("<style>body{display:none}</style>正文", "正文"),
    ("<font face=宋体>旧式</font><o:p></o:p>", "旧式"),
    ("<!-- 注释 --><p>保留</p>", "<p>保留</p>"),
])
def test_specific_policy_cases(dirty, clean):
    assert clean_html(dirty) == clean


def test_plain_text_and_paragraphs():
    assert plain_text("<h2>标题</h2><p>第一段</p>") == "标题 第一段"
    rendered = str(text_to_html("第一行<b>\n第二行\n\n第二段"))
    assert rendered == "<p>第一行&lt;b&gt;<br>第二行</p><p>第二段</p>"


@pytest.mark.parametrize("fn, value, expected", [
    (mask_name, "王小明", "王**"),
    (mask_name, "欧阳娜娜", "欧***"),
    (mask_name, "李", "李*"),
    (mask_name, "", "匿名"),
    (mask_phone, "13812341234", "138****1234"),
    (mask_phone, "138-1234-1234", "138****1234"),
    (mask_phone, "0123-6662001", "012****2001"),
    (mask_email, "zhang.san@example.cn", "z***@example.cn"),
    (mask_id_number, "320102199001011234", "320102********1234"),
    (mask_contact, "13812341234", "138****1234"),
    (mask_contact, "a@b.cn", "a***@b.cn"),
])
def test_masking(fn, value, expected):
    assert fn(value) == expected
