"""A .docx becomes a body with its headings, lists and tables; its title and 文号 are read from the
first lines (GB/T 9704-2012 7.2: 发文机关标志, 发文字号, 标题); a broken or hostile file is refused
with a clear message (issue 18, point 2)."""
from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from core.bounded import LimitExceeded
from core.docx import import_docx
from core.errors import DomainError
from tests.docx_files import PNG, docx, official_notice, para, picture


def test_structure_kept_formatting_dropped_head_offered():
    result = import_docx(official_notice())
    assert result.title == "关于做好2026年冬季森林防火工作的通知"
    assert result.doc_no == "白政发〔2026〕15号"            # typed with [] in Word, stored canonically
    html = result.html
    assert "白水镇人民政府文件" not in html and "关于做好2026年冬季森林防火工作的通知" not in html
    assert html.startswith("<p>各村（居）民委员会，镇属各单位：</p>")
    assert "<h2>一、工作重点</h2>" in html                  # Word's heading 1 under the page's own h1
    assert "<ul><li>加强巡山护林</li><li>严管野外用火</li></ul>" in html
    assert "<ol><li>第一步：排查隐患</li><li>第二步：落实责任</li></ol>" in html
    assert "<table>" in html and "<td><p>东坡村</p></td>" in html
    assert "color" not in html and "FF0000" not in html and "style" not in html


def test_a_document_without_the_official_head_gives_its_first_heading_as_title():
    result = import_docx(docx(para("村务公开栏更新说明", style="Heading1"), para("本月公开了三项内容。")))
    assert result.title == "村务公开栏更新说明" and result.doc_no == "" and result.html == "<p>本月公开了三项内容。</p>"


def test_images_are_left_out_and_said():
    """Pictures in a .docx have no place on the site until uploaded as attachments (the sanitizer
    keeps only images served from our own attachments): left out, and the clerk is told."""
    plain = import_docx(docx(para("没有图片的通知"), para("正文")))
    assert plain.notes == []
    result = import_docx(docx(para("有图片的通知"), para("现场照片如下："), picture("施工现场")))
    assert result.notes == ["文档中的 1 张图片没有导入正文，请作为附件上传后再插入。"]
    assert "<img" not in result.html and "data:" not in result.html


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
                  '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
                  '<w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>')
DEEP = ('<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + "<w:tbl><w:tr><w:tc>" * 3000 + "</w:tc></w:tr></w:tbl>" * 3000 + "</w:body></w:document>")


HOSTILE = [
    ("not a zip", b"%PDF-1.7 this is a PDF renamed to .docx", "文件已损坏，或不是所需的格式"),
    ("an old .doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000, "文件已损坏，或不是所需的格式"),
    ("a zip that is not Word", _zip({"hello.txt": b"hello"}), "文件中没有正文"),
    ("truncated", official_notice()[:700], "文件已损坏"),
    ("broken XML", docx(document="<w:document><w:body><w:p>"), "文件已损坏，或含有不允许的内容"),
    ("entity expansion", docx(document=BILLION_LAUGHS), "文件已损坏，或含有不允许的内容"),
    ("nesting 3,000 deep", docx(document=DEEP), "嵌套超过 200 层"),
    ("a zip bomb", _zip({"word/document.xml": b"<a>" + b" " * 50_000_000 + b"</a>"}), "疑似压缩炸弹"),
    ("empty", docx(), "没有可导入的文字"),
]


@pytest.mark.parametrize("name, data, message", HOSTILE, ids=[case[0] for case in HOSTILE])
def test_broken_or_hostile_files_are_refused_before_mammoth_reads_them(name, data, message):
    """Each is refused by the checks, with a message that says why (how fast: bench/docx_import.py)."""
    with pytest.raises(DomainError) as refused:
        import_docx(data)
    assert message in refused.value.message, (name, refused.value.message)


def _body_elsewhere(name: str, body: bytes) -> bytes:
    """A package whose main document is the entry `name`, as its relationships say (mammoth
    follows them to any entry, whatever its name)."""
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="{name}"/></Relationships>')
    # a real picture beside it, as documents have (it also keeps the package's expansion ratio real)
    picture_bytes = b"\x89PNG" + b"".join(hashlib.sha256(bytes([i])).digest() for i in range(256)) * 4
    return _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": rels.encode(), name: body,
                 "word/media/photo.png": picture_bytes})


@pytest.mark.parametrize("name, body, message", [
    ("word/b.dat", BILLION_LAUGHS.encode(), "含有不允许的内容"),
    ("word/media/image9.png", BILLION_LAUGHS.encode(), "含有不允许的内容"),
    ("word/b.dat", DEEP.encode(), "嵌套超过 200 层"),
    ("word/media/image1.png", PNG, "文件已损坏"),                    # a picture where the text should be
], ids=["entities in a part not named .xml", "entities in a part named .png", "nesting in a .dat part",
        "a picture as the document"])
def test_every_part_mammoth_may_read_is_checked_whatever_its_name(name, body, message):
    with pytest.raises(DomainError) as refused:
        import_docx(_body_elsewhere(name, body))
    assert message in refused.value.message


def test_the_xml_size_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv("DOCX_MAX_XML_BYTES", "2000")
    with pytest.raises(LimitExceeded, match="文字内容解压后超过"):
        import_docx(official_notice())


def test_an_entry_in_a_compression_zipfile_cannot_read_is_refused_not_a_crash():
    """zipfile raises NotImplementedError for an unknown compression method: refused as broken."""
    data = bytearray(official_notice())
    # Mark every entry's compression method (local headers and central directory) as 99 (AES)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (at := data.find(signature, start)) != -1:
            data[at + offset:at + offset + 2] = (99).to_bytes(2, "little")
            start = at + 4
    with pytest.raises(DomainError, match="文件已损坏"):
        import_docx(bytes(data))
