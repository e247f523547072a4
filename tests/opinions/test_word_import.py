"""A draft for consultation is imported from the .docx the department wrote (issue 18, point 2)."""
from __future__ import annotations

import io

from tests.conftest import csrf_from
from tests.docx_files import docx, para


def test_a_consultation_draft_is_filled_from_a_docx(demo, client, auth):
    auth.login("li")
    page = client.get("/admin/baishui/opinions/new").get_data(as_text=True)
    assert "从 Word 文档导入征求意见稿" in page
    draft = docx(para("白水镇集贸市场管理办法（征求意见稿）", style="Title"), para("第一章　总则", style="Heading1"),
                 para("第一条　为规范集贸市场秩序，制定本办法。"), para("第二条　本办法适用于本镇集贸市场。"))
    filled = client.post("/admin/baishui/opinions/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "title": "", "import_word": "1",
        "word": (io.BytesIO(draft), "管理办法.docx")}).get_data(as_text=True)
    assert "已导入“管理办法.docx”的正文，并填入了标题。" in filled
    assert 'value="白水镇集贸市场管理办法（征求意见稿）"' in filled
    assert "&lt;h2&gt;第一章　总则&lt;/h2&gt;" in filled and "第二条　本办法适用于本镇集贸市场。" in filled
    assert "已保存为草稿" not in filled
