"""Form helpers for core features and plugins (Flask-WTF: every form carries a CSRF token)."""
from __future__ import annotations

import json

from flask import flash, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice


REQUIRED = "此项必填。"


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels with it."""


class RichTextField(TextAreaField):
    """A rich-text field: a textarea of HTML that the admin area's editor (core/editor, built into
    static/editor/) turns into a word-processor-like editor; without JavaScript it stays the
    textarea it always was. What is saved is cleaned by core.sanitize on the server either way.

    `offer_images(attachments)` lists the document's image attachments for the editor's 图片
    button (the only images the sanitizer keeps)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.images: list[dict] = []

    def offer_images(self, attachments) -> None:
        self.images = [{"url": url_for("portal.attachment", token=a.token, name=a.filename), "name": a.filename}
                       for a in attachments if a.is_image]

    def __call__(self, **kwargs):
        kwargs.setdefault("data-rich-text", "1")
        if self.images:
            kwargs.setdefault("data-images", json.dumps(self.images, ensure_ascii=False))
        return super().__call__(**kwargs)


class WordImportField(FileField):
    """A .docx whose text replaces a rich-text field's (see `import_word`): with its own button,
    so a clerk can import, check and then save."""

    def __init__(self, label="从 Word 文档导入正文", *, fills: str = "标题、文号", **kwargs):
        kwargs.setdefault("description", "选择 .docx 文件后点“导入 Word 文档”：正文将被文档内容替换（保留标题、列表和表格，"
                                         f"去掉字体字号）；{fills}为空时从文档开头填入。导入后请核对，再保存。")
        super().__init__(label, **kwargs)


IMPORT_BUTTON = "import_word"


def import_word(form, body, *, title=None, doc_no=None) -> bool:
    """Whether this POST asked to import a .docx into `form`: if so, and its CSRF token holds, the
    document's body goes into the `body` field and its title and 文号 into `title` and `doc_no` where
    those are empty; nothing is saved (the form is shown again to be checked). A refused file is
    said next to the upload field. The form's other fields keep what was typed. (The CSRF token
    was checked before the view, as for every POST.)"""
    if request.method != "POST" or IMPORT_BUTTON not in request.form:
        return False
    from core.docx import import_docx
    from core.errors import DomainError
    upload = form.word.data
    if not upload or not getattr(upload, "filename", ""):
        form.word.errors = ["请先选择要导入的 .docx 文件。"]
        return True
    if not upload.filename.lower().endswith(".docx"):
        form.word.errors = ["只能导入 .docx 文件（旧的 .doc 请在 Word 或 WPS 中另存为 .docx）。"]
        return True
    try:
        result = import_docx(upload.read())
    except DomainError as exc:
        form.word.errors = [exc.message]
        return True
    body.data = result.html
    filled = []
    if title is not None and result.title and not (title.data or "").strip():
        title.data = result.title
        filled.append("标题")
    if doc_no is not None and result.doc_no and not (doc_no.data or "").strip():
        doc_no.data = result.doc_no
        filled.append("文号")
    message = f"已导入“{upload.filename}”的正文" + (f"，并填入了{'和'.join(filled)}" if filled else "") + "。请核对后保存。"
    flash(" ".join([message, *result.notes]), "success")
    return True
