"""A Word document (.docx) as the body of a record, a consultation draft or a gazette article.

Departments sign their documents in Word; a clerk uploads the .docx and its text becomes the body,
with its headings, lists and tables (mammoth maps Word's structure to HTML and drops its
formatting), cleaned by the one sanitizer like anything typed. The title and the 文号 are offered
from the document's first lines, which in a 公文 are the issuer's mark (…文件), the 文号, then the
title (GB/T 9704-2012 7.2, 7.3.1).

Hostile or broken files are refused before mammoth reads them, within the limits of core.bounded
(size, entries, expansion) and two of its own: the XML parts' total size and how deeply their
elements nest; every part is read by defusedxml first, so a DTD or an entity is refused, not
expanded.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from core.bounded import LIMITS, LimitExceeded, limit, open_zip
from core.docno import canonical_doc_no, looks_like_doc_no
from core.errors import DomainError
from core.sanitize import clean_html, plain_text

LIMITS.setdefault("DOCX_MAX_XML_BYTES", 10 * 1024 * 1024)   # all XML parts together, uncompressed
LIMITS.setdefault("DOCX_MAX_DEPTH", 200)                      # elements nested in one another

WHAT = "Word 文档"
_BLOCK = re.compile(r"<(h[1-6]|p)>(.*?)</\1>", re.S)
_IMAGE = re.compile(r"<img\b[^>]*>")
# The issuer's mark at the head of a 公文: 白水镇人民政府文件, 青山县人民政府办公室文件.
_ISSUER_MARK = re.compile(r"^\S{2,40}文件$")
_ADDRESSEE = re.compile(r"[：:]$")
# The page's own title is its <h1>: Word's headings start one level down.
STYLE_MAP = """
p[style-name='Title'] => h2:fresh
p[style-name='heading 1'] => h2:fresh
p[style-name='heading 2'] => h3:fresh
p[style-name='heading 3'] => h4:fresh
p[style-name='heading 4'] => h5:fresh
p[style-name='标题 1'] => h2:fresh
p[style-name='标题 2'] => h3:fresh
p[style-name='标题 3'] => h4:fresh
"""


@dataclass
class DocxImport:
    html: str
    title: str = ""
    doc_no: str = ""
    notes: list[str] = field(default_factory=list)


# Leading bytes of the binary parts a .docx carries (pictures, embedded objects, fonts): every other
# entry is read as XML, whatever its name, since mammoth follows the relationships to any entry.
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"\xd7\xcd\xc6\x9a",
                 b"\x01\x00\x00\x00", b"\x01\x00\x09\x00", b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"%PDF",
                 b"\x00\x01\x00\x00", b"OTTO", b"wOFF", b"RIFF")


def _is_binary(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    with archive.open(info) as stream:
        return stream.read(8).startswith(_BINARY_MAGIC)


def _check_parts(archive: zipfile.ZipFile) -> None:
    """Every entry that is not a picture or an embedded binary is parsed here by defusedxml, in a
    stream, before mammoth's minidom sees it: a DTD or entity is refused, nesting and the total
    size are bounded. (Naming a part .png does not get it past: it is judged by its bytes.)"""
    names = archive.namelist()
    if "word/document.xml" not in names and "_rels/.rels" not in names:
        raise DomainError(f"无法读取{WHAT}：文件中没有正文。请确认上传的是 .docx 格式（旧的 .doc 请在 Word 中另存为 .docx）。")
    # zipfile raises NotImplementedError for an entry whose compression method it cannot read
    # (AES, LZMA from some archivers): a file we cannot read is refused like a broken one.
    try:
        xml_parts = [i for i in archive.infolist() if not i.is_dir() and not _is_binary(archive, i)]
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):
        raise DomainError(f"无法读取{WHAT}：文件已损坏，或含有不允许的内容。") from None
    total = sum(i.file_size for i in xml_parts)
    if total > limit("DOCX_MAX_XML_BYTES"):
        raise LimitExceeded(f"{WHAT}的文字内容解压后超过 {limit('DOCX_MAX_XML_BYTES') // 1024 // 1024} MB，请分成几个文档导入。")
    max_depth = limit("DOCX_MAX_DEPTH")
    for info in xml_parts:
        depth = 0
        try:
            with archive.open(info) as stream:
                for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                    if event == "start":
                        depth += 1
                        if depth > max_depth:
                            raise LimitExceeded(f"{WHAT}的结构嵌套超过 {max_depth} 层，无法导入。")
                    else:
                        depth -= 1
                        element.clear()
        except (ParseError, DefusedXmlException, zipfile.BadZipFile, ValueError, EOFError, OSError,
                NotImplementedError):
            raise DomainError(f"无法读取{WHAT}：文件已损坏，或含有不允许的内容。") from None


def _first_lines(html: str, count: int = 8) -> list[tuple[str, str, str]]:
    """The first blocks of the HTML as (whole match, tag, text)."""
    out = []
    for m in _BLOCK.finditer(html):
        text = plain_text(m.group(2)).strip()
        if text:
            out.append((m.group(0), m.group(1), text))
        if len(out) >= count:
            break
    return out


def _head(html: str) -> tuple[str, str, list[str]]:
    """The title and the 文号 the first lines offer, and the blocks they came from (left out of the
    body, which the page shows under its own title)."""
    title = doc_no = ""
    used: list[str] = []
    for block, tag, text in _first_lines(html):
        compact = re.sub(r"\s+", "", text)
        if not doc_no and len(compact) <= 40 and looks_like_doc_no(compact):
            doc_no = canonical_doc_no(compact)
            used.append(block)
            continue
        if not title and not doc_no and _ISSUER_MARK.match(compact):
            used.append(block)     # the issuer's mark, before the 文号
            continue
        if not title and 4 <= len(compact) <= 120 and not _ADDRESSEE.search(compact):
            title = compact if tag.startswith("h") or len(compact) <= 60 else ""
            if title:
                used.append(block)
                continue
        break
    return title, doc_no, used


def import_docx(data: bytes) -> DocxImport:
    """The body, title and 文号 of a .docx; DomainError (LimitExceeded) for a file refused."""
    import mammoth
    archive = open_zip(data, WHAT)
    _check_parts(archive)
    images = 0

    def no_image(image):
        nonlocal images
        images += 1
        return {}
    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP,
                                        convert_image=mammoth.images.img_element(no_image))
    except (KeyError, ValueError, zipfile.BadZipFile, RecursionError, AttributeError, TypeError, ExpatError):
        raise DomainError(f"无法读取{WHAT}：文件已损坏，或不是 Word 保存的 .docx 文档。") from None
    html = _IMAGE.sub("", result.value)
    title, doc_no, used = _head(html)
    for block in used:
        html = html.replace(block, "", 1)
    body = clean_html(html)
    if not plain_text(body).strip() and not title:
        raise DomainError(f"{WHAT}中没有可导入的文字。")
    notes = []
    if images:
        notes.append(f"文档中的 {images} 张图片没有导入正文，请作为附件上传后再插入。")
    return DocxImport(html=body, title=title, doc_no=doc_no, notes=notes)
