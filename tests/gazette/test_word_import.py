"""The gazette's editor imports a signed .docx into an article (issue 18, point 2), as the clerk
does into a record: the body, and the title and 文号 where empty; nothing saved until she saves."""
from __future__ import annotations

import io

from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import services
from plugins.gazette.models import GazetteArticle
from tests.conftest import csrf_from
from tests.docx_files import official_notice


def test_an_article_is_filled_from_a_docx(demo, client, auth):
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        issue = services.create_issue(SYSTEM, tenant_by_slug("qinglan"), {
            "year": 2026, "number": 12, "total_number": 96, "published_on": "2026-12-15", "sections": "规范性文件"})
        db.session.commit()
        issue_id = issue.id
    auth.login("zheng")
    url = f"/admin/qinglan/gazette/issues/{issue_id}/articles/new"
    page = client.get(url).get_data(as_text=True)
    assert "导入 Word 文档" in page
    filled = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "section": "规范性文件", "title": "", "import_word": "1",
        "word": (io.BytesIO(official_notice()), "通知.docx")}).get_data(as_text=True)
    assert "并填入了标题和文号" in filled
    assert 'value="关于做好2026年冬季森林防火工作的通知"' in filled and 'value="白政发〔2026〕15号"' in filled
    assert "&lt;h2&gt;一、工作重点&lt;/h2&gt;" in filled
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert db.session.scalar(select(GazetteArticle.id).where(GazetteArticle.issue_id == issue_id)) is None
