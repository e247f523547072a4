"""Edge cases found in review: odd article bodies in the PDF, files of cited records, rows moved
out of a published issue, oversized numbers in URLs, malformed references and import files."""
from __future__ import annotations

import io
import re

import pytest
import yaml
from pypdf import PdfReader
from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import pdf, services
from plugins.gazette.models import ArticleIssuer, GazetteArticle, GazetteIssue, IssueFrozen
from tests.gazette.fixtures import make_issue, token

API = "/api/v1/tenants/qinglan/gazette"


def _text(path) -> str:
    """The printed text without running headers and page numbers, so sentences across pages join up."""
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages]
    return "".join(re.sub(r"—\d+—", "", page.replace("青岚县人民政府公报2024年第1期", "", 1)) for page in pages[1:])


def test_a_table_cell_taller_than_a_page_and_nested_tables_still_print(demo):
    long_cell = "补助对象为本县户籍的困难群众，" * 400
    body = (f"<table><tr><th>项目</th><th>说明</th></tr><tr><td>甲项</td><td>{long_cell}</td></tr></table>"
            "<table><caption>附表</caption><tr><td>外层A</td><td><table><tr><td>内层B</td></tr></table></td></tr>"
            "<tr><td>外层C</td></tr></table>")
    with demo.app_context():
        issue_id = make_issue(articles=[{"section": "规范性文件", "title": "表格很长的文件", "body": body}])
        with tenant_scope(tenant_by_slug("qinglan")):
            text = _text(pdf.ensure_pdf(db.session.get(GazetteIssue, issue_id)))
    assert "甲项" in text and text.count("补助对象为本县户籍的困难群众") == 400
    assert "附表" in text and "外层A" in text and "内层B" in text and "外层C" in text
    assert text.index("附表") < text.index("外层A")


@pytest.mark.needs_plugins("catalog")   # the record comes from the catalog, through lookup_documents
def test_files_of_a_cited_record_stay_with_the_article(demo, client):
    from core.attachments import Attachment, storage_path
    from plugins.catalog import services as catalog
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        qinglan = tenant_by_slug("qinglan")
        upload = Attachment(token="e" * 32, filename="补助标准.pdf", extension="pdf", content_type="application/pdf",
                            size=9, sha256="0" * 64, is_public=False)
        storage_path(upload.token).parent.mkdir(parents=True, exist_ok=True)
        storage_path(upload.token).write_bytes(b"%PDF-1.4\n")
        db.session.add(upload)
        db.session.flush()
        record = catalog.create_record(SYSTEM, qinglan, {
            "item_id": catalog.leaf_items(qinglan)[0].id, "title": "青岚县补助标准的通知", "doc_no": "青政发〔2026〕30号",
            "attachment_ids": [upload.id]})
        catalog.publish(SYSTEM, record, review_confirmed=True)
        issue = services.create_issue(SYSTEM, qinglan, {"year": 2026, "number": 11, "total_number": 95,
                                                         "published_on": "2026-11-15"})
        article = services.add_article(SYSTEM, issue, {"section": "规范性文件", "source_ref": f"catalog:record:{record.id}"})
        services.publish_issue(SYSTEM, issue, make_pdf=False)
        db.session.commit()
        copy = article.attachments[0]
        assert copy.id != upload.id and copy.filename == "补助标准.pdf" and copy.is_public
        # The catalog later drops the file from its record: the gazette's copy is unaffected.
        catalog.update_record(SYSTEM, record, {"attachment_ids": []})
        db.session.commit()
        url = f"/qinglan/files/{copy.token}/{copy.filename}"
    assert client.get(url).status_code == 200


def test_moving_rows_out_of_a_published_issue_is_refused(demo):
    with demo.app_context():
        published = make_issue(year=2025, number=1, publish=True)
        draft = make_issue(year=2025, number=2)
        with tenant_scope(tenant_by_slug("qinglan")):
            article = db.session.scalar(select(GazetteArticle).where(GazetteArticle.issue_id == published))
            article.issue = db.session.get(GazetteIssue, draft)
            with pytest.raises(IssueFrozen):
                db.session.flush()
            db.session.rollback()
            draft_article = db.session.scalar(select(GazetteArticle).where(GazetteArticle.issue_id == draft))
            issuer = ArticleIssuer(article_id=db.session.scalar(select(GazetteArticle.id).where(
                GazetteArticle.issue_id == published)), name="青岚县财政局", position=5)
            db.session.add(issuer)
            with pytest.raises(IssueFrozen):
                db.session.flush()
            db.session.rollback()
            assert draft_article is not None


@pytest.mark.parametrize("url", ["/qinglan/gazette/99999999999999999999/1/", "/qinglan/gazette/2026/99999999999/",
                                 "/qinglan/gazette/99999999999999999999/1.pdf",
                                 f"{API}/issues/99999999999999999999/1", "/qinglan/gazette/articles/99999999999999999999"])
def test_oversized_numbers_in_urls_are_not_found(demo, client, url):
    assert client.get(url).status_code == 404


def test_malformed_references_are_refused_cleanly(demo, client, auth, runner):
    with demo.app_context():
        issue_id = make_issue(articles=[])
    auth.login("zheng")
    for ref in ("catalog:record:²", "catalog:record:99999999999999999999999", "catalog:record:-1", "nonsense"):
        page = client.get(f"/admin/qinglan/gazette/issues/{issue_id}/articles/new", query_string={"source": ref})
        assert page.status_code == 200 and "不存在或尚未公开" in page.get_data(as_text=True)
    answer = client.post(f"{API}/issues/{issue_id}/articles", headers=token(runner, "zheng"),
                         json={"section": "规范性文件", "source_ref": "catalog:record:²"})
    assert answer.status_code == 400 and "不存在或尚未公开" in answer.get_json()["error"]


def test_api_moves_articles_and_validates_the_year(demo, client, runner):
    with demo.app_context():
        issue_id = make_issue(articles=[{"section": "规范性文件", "title": "甲"}, {"section": "规范性文件", "title": "乙"}])
        with tenant_scope(tenant_by_slug("qinglan")):
            second = db.session.get(GazetteIssue, issue_id).articles[1].id
    headers = token(runner, "zheng")
    moved = client.post(f"{API}/articles/{second}/move", json={"direction": "up"}, headers=headers)
    assert moved.status_code == 200
    assert [a["title"] for a in moved.get_json()["toc"][0]["articles"]] == ["乙", "甲"]
    again = client.post(f"{API}/articles/{second}/move", json={"direction": "up"}, headers=headers)
    assert again.status_code == 409 and "最前或最后" in again.get_json()["error"]
    assert client.get(f"{API}/search", query_string={"year": "abc"}).status_code == 400
    assert client.get(f"{API}/issues", query_string={"year": "99999"}).status_code == 400


def test_a_very_long_word_is_indexed_and_found(demo, client):
    word = "A" * 5000
    with demo.app_context():
        make_issue(articles=[{"section": "规范性文件", "title": "很长的编号", "body": f"<p>编号 {word} 结束</p>"}],
                   publish=True)
    found = client.get(f"{API}/search", query_string={"q": "很长的编号"}).get_json()
    assert found["total"] == 1


def test_import_survives_bad_dates_and_types_and_reruns_without_total_number(demo, runner, tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    good = {"year": 2018, "number": 1, "published_on": "2018-01-15",
            "articles": [{"section": "规范性文件", "title": "青岚县人民政府关于印发《青岚县某某办法》的通知", "body": "正文"}]}
    (folder / "a-good.yaml").write_text(yaml.safe_dump(good, allow_unicode=True), encoding="utf-8")
    (folder / "b-bad-date.yaml").write_text("year: 2018\nnumber: 2\npublished_on: 2018-02-30\narticles:\n"
                                            "  - {section: 规范性文件, title: 甲}\n", encoding="utf-8")
    (folder / "c-bad-type.yaml").write_text(yaml.safe_dump({
        "year": 2018, "number": 3, "published_on": "2018-03-15",
        "articles": [{"section": "规范性文件", "title": "乙", "issuers": 5}]}, allow_unicode=True), encoding="utf-8")
    (folder / "d-escape.yaml").write_text(yaml.safe_dump({
        "year": 2018, "number": 4, "published_on": "2018-04-15",
        "articles": [{"section": "规范性文件", "title": "丙", "body_file": "../../etc/passwd"}]}, allow_unicode=True),
        encoding="utf-8")
    first = runner.invoke(args=["gazette", "import", str(folder), "qinglan"])
    assert "导入 1 期（1 篇），已存在跳过 0 期，失败 3 个文件" in first.output
    assert "b-bad-date.yaml：无法解析" in first.output
    assert "c-bad-type.yaml：第 1 篇文章的 issuers 应是发文机关名称或其列表" in first.output
    assert "d-escape.yaml：第 1 篇文章的 body_file 必须在元数据文件所在的文件夹内" in first.output
    second = runner.invoke(args=["gazette", "import", str(folder), "qinglan"])
    assert "导入 0 期（0 篇），已存在跳过 1 期" in second.output
