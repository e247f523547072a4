"""A clerk imports the .docx her department signed into a record (issue 18, point 2): the body is
replaced, the title and 文号 are offered where empty, nothing is saved until she saves, and a
refused file is said next to the upload field with everything she typed kept."""
from __future__ import annotations

import io
import re

from tests.conftest import csrf_from
from tests.docx_files import official_notice


def _page(client, url):
    html = client.get(url).get_data(as_text=True)
    return html, csrf_from(html), re.search(r'<option value="(\d+)"', html).group(1)


def test_import_fills_an_empty_form_and_saves_only_when_asked(demo, client, auth):
    auth.login("li")
    html, token, item_id = _page(client, "/admin/baishui/catalog/records/new")
    assert 'name="word"' in html and "导入 Word 文档" in html and 'data-rich-text="1"' in html
    response = client.post("/admin/baishui/catalog/records/new", content_type="multipart/form-data", data={
        "csrf_token": token, "item_id": item_id, "title": "", "doc_no": "", "body": "", "disclosure": "proactive",
        "summary": "我写的摘要", "import_word": "1", "word": (io.BytesIO(official_notice()), "森林防火通知.docx")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已导入“森林防火通知.docx”的正文，并填入了标题和文号。请核对后保存。" in page
    assert 'value="关于做好2026年冬季森林防火工作的通知"' in page and 'value="白政发〔2026〕15号"' in page
    assert "&lt;h2&gt;一、工作重点&lt;/h2&gt;" in page and "&lt;table&gt;" in page    # in the textarea, escaped
    assert "我写的摘要" in page
    listing = client.get("/admin/baishui/catalog/records").get_data(as_text=True)
    assert "关于做好2026年冬季森林防火工作的通知" not in listing                    # not saved yet

    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    from html import unescape
    saved = client.post("/admin/baishui/catalog/records/new", data={
        "csrf_token": token, "item_id": item_id, "title": "关于做好2026年冬季森林防火工作的通知",
        "doc_no": "白政发〔2026〕15号", "body": unescape(body).strip(), "disclosure": "proactive"},
        follow_redirects=True)
    assert "已保存“关于做好2026年冬季森林防火工作的通知”为草稿" in saved.get_data(as_text=True)


def test_import_into_an_existing_draft_keeps_its_title(demo, client, auth):
    auth.login("li")
    html, token, item_id = _page(client, "/admin/baishui/catalog/records/new")
    edit = client.post("/admin/baishui/catalog/records/new", data={
        "csrf_token": token, "item_id": item_id, "title": "我起的标题", "disclosure": "proactive"}).headers["Location"]
    html, token, _ = _page(client, edit)
    page = client.post(edit, content_type="multipart/form-data", data={
        "csrf_token": token, "item_id": item_id, "title": "我起的标题", "body": "<p>旧正文</p>", "disclosure": "proactive",
        "import_word": "1", "word": (io.BytesIO(official_notice()), "通知.docx")}).get_data(as_text=True)
    assert "已导入“通知.docx”的正文，并填入了文号。" in page
    assert 'value="我起的标题"' in page and "旧正文" not in page


def test_a_refused_file_is_said_next_to_the_field_and_nothing_typed_is_lost(demo, client, auth):
    auth.login("li")
    html, token, item_id = _page(client, "/admin/baishui/catalog/records/new")
    form = {"csrf_token": token, "item_id": item_id, "title": "未保存的标题", "body": "<p>我打的字</p>",
            "disclosure": "proactive", "import_word": "1"}
    for upload, message in [((io.BytesIO(b"not a zip"), "通知.docx"), "文件已损坏，或不是所需的格式"),
                            ((io.BytesIO(b"\xd0\xcf\x11\xe0"), "通知.doc"), "只能导入 .docx 文件"),
                            (None, "请先选择要导入的 .docx 文件")]:
        data = dict(form, **({"word": upload} if upload else {}))
        page = client.post("/admin/baishui/catalog/records/new", content_type="multipart/form-data",
                           data=data).get_data(as_text=True)
        assert message in page and 'id="word-error"' in page
        assert 'value="未保存的标题"' in page and "我打的字" in page


def test_a_record_waiting_for_review_cannot_be_imported_into(demo, client, auth):
    auth.login("li")
    html, token, item_id = _page(client, "/admin/baishui/catalog/records/new")
    edit = client.post("/admin/baishui/catalog/records/new", data={
        "csrf_token": token, "item_id": item_id, "title": "已提交的信息", "body": "<p>原文</p>",
        "disclosure": "proactive", "then": "submit"}).headers["Location"]
    page = client.get(edit).get_data(as_text=True)
    response = client.post(edit, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "import_word": "1", "word": (io.BytesIO(official_notice()), "通知.docx")})
    assert "已导入" not in response.get_data(as_text=True)
