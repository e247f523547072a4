"""The editor's pictures come from the record's own image attachments (issue 18, point 1): the
edit page offers them to the editor, a body that shows one keeps it with its description, and a
picture from anywhere else is dropped by the server's sanitizer, the only authority."""
from __future__ import annotations

import html as htmllib
import io
import json
import re

from tests.conftest import csrf_from
from tests.docx_files import PNG


def test_image_attachments_are_offered_and_kept_with_their_description(demo, client, auth):
    auth.login("li")
    page = client.get("/admin/baishui/catalog/records/new").get_data(as_text=True)
    item_id = re.search(r'<option value="(\d+)"', page).group(1)
    edit = client.post("/admin/baishui/catalog/records/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "item_id": item_id, "title": "有现场照片的信息", "disclosure": "proactive",
        "files": [(io.BytesIO(PNG), "现场照片.png"), (io.BytesIO(b"%PDF-1.7 x"), "方案.pdf")]}).headers["Location"]
    page = client.get(edit).get_data(as_text=True)
    offered = json.loads(htmllib.unescape(re.search(r'data-images="([^"]*)"', page).group(1)))
    assert [i["name"] for i in offered] == ["现场照片.png"]                 # the PDF is not a picture
    src = offered[0]["url"]
    assert re.fullmatch(r"/qinglan/baishui/files/[0-9a-f]{32}/.+", src)
    body = (f'<p>现场：</p><img src="{src}" alt="改造后的集贸市场" onerror="alert(1)">'
            '<img src="https://evil.example/x.png" alt="外链"><img src="data:image/png;base64,AAAA" alt="内嵌">')
    saved = client.post(edit, data={"csrf_token": csrf_from(page), "item_id": item_id, "title": "有现场照片的信息",
                                    "body": body, "disclosure": "proactive"}, follow_redirects=True)
    assert "已保存" in saved.get_data(as_text=True)
    textarea = htmllib.unescape(re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>',
                                          client.get(edit).get_data(as_text=True), re.S).group(1))
    assert f'<img alt="改造后的集贸市场" src="{src}">' in textarea or f'<img src="{src}" alt="改造后的集贸市场">' in textarea
    assert "evil.example" not in textarea and "data:" not in textarea and "onerror" not in textarea
    assert client.get(src).status_code == 200        # the editor sees the draft's picture
    auth.logout()
    assert client.get(src).status_code == 404        # the public does not, until it is published
