"""Editing the gazette: numbering, articles, publication and the freeze (form, API and service),
validity after publication, errata, and a catalog record printed in the gazette."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.errors import DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import services
from plugins.gazette.models import GazetteArticle, GazetteIssue, IssueFrozen
from tests.conftest import csrf_from, post_form
from tests.gazette.fixtures import make_issue, token

API = "/api/v1/tenants/qinglan/gazette"
ADMIN = "/admin/qinglan/gazette"


def _first_article(issue_id: int) -> int:
    return db.session.scalar(select(GazetteArticle.id).where(GazetteArticle.issue_id == issue_id))


def test_numbering_follows_on_and_clashes_are_refused(demo):
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        qinglan = tenant_by_slug("qinglan")
        first = services.create_issue(SYSTEM, qinglan, {"year": 2025, "published_on": "2025-01-15"})
        assert (first.year, first.number, first.total_number) == (2025, 1, 1)
        second = services.create_issue(SYSTEM, qinglan, {"year": 2025, "published_on": "2025-02-15"})
        assert (second.number, second.total_number) == (2, 2)
        third = services.create_issue(SYSTEM, qinglan, {"year": 2026, "published_on": "2026-01-15"})
        assert (third.number, third.total_number) == (1, 3)   # 期 restarts each year, 总期 does not
        with pytest.raises(DomainError, match="2025年第2期已经存在"):
            services.create_issue(SYSTEM, qinglan, {"year": 2025, "number": 2, "total_number": 9,
                                                     "published_on": "2025-03-15"})
        with pytest.raises(DomainError, match="总第3期已经存在"):
            services.create_issue(SYSTEM, qinglan, {"year": 2025, "number": 3, "total_number": 3,
                                                     "published_on": "2025-03-15"})
        with pytest.raises(DomainError, match="出版日期应在本期所属年份之内"):
            services.create_issue(SYSTEM, qinglan, {"year": 2025, "number": 4, "total_number": 4,
                                                     "published_on": "2024-12-31"})
        assert services.gazette_for(qinglan).sections == services.DEFAULT_SECTIONS
        assert first.sections == services.DEFAULT_SECTIONS


def test_an_issue_without_articles_cannot_be_published(demo):
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        issue = services.create_issue(SYSTEM, tenant_by_slug("qinglan"), {"year": 2025, "published_on": "2025-01-15"})
        with pytest.raises(DomainError, match="还没有文章"):
            services.publish_issue(SYSTEM, issue, make_pdf=False)


def test_a_published_issue_refuses_changes_through_the_service_and_the_orm(demo):
    with demo.app_context():
        issue_id = make_issue(publish=True)
        with tenant_scope(tenant_by_slug("qinglan")):
            issue = db.session.get(GazetteIssue, issue_id)
            article = issue.articles[0]
            for attempt in (lambda: services.update_article(SYSTEM, article, {"title": "改了"}),
                            lambda: services.add_article(SYSTEM, issue, {"section": "规范性文件", "title": "新加的"}),
                            lambda: services.delete_article(SYSTEM, article),
                            lambda: services.update_issue(SYSTEM, issue, {"editor_note": "补一段"}),
                            lambda: services.move_article(SYSTEM, article, 1),
                            lambda: services.delete_issue(SYSTEM, issue)):
                with pytest.raises(IssueFrozen, match="本期公报已出版"):
                    attempt()
                db.session.rollback()
            # Even code that skips the services cannot change what was printed: the flush refuses.
            article = db.session.get(GazetteArticle, _first_article(issue_id))
            article.body = "<p>偷偷改</p>"
            with pytest.raises(IssueFrozen):
                db.session.flush()
            db.session.rollback()
            issue = db.session.get(GazetteIssue, issue_id)
            issue.status = "draft"
            with pytest.raises(IssueFrozen, match="不能撤回"):
                db.session.flush()
            db.session.rollback()
            db.session.add(GazetteArticle(issue_id=issue_id, section="规范性文件", title="塞进来的"))
            with pytest.raises(IssueFrozen):
                db.session.flush()
            db.session.rollback()
            # What the archive says about a document may still change.
            article = db.session.get(GazetteArticle, _first_article(issue_id))
            services.set_validity(SYSTEM, article, "repealed", on=date(2026, 1, 1), note="被新办法废止")
            db.session.commit()
            assert db.session.get(GazetteArticle, article.id).validity == "repealed"
            assert db.session.get(GazetteArticle, article.id).body == "<p>第一条　为规范测试工作，制定本办法。</p>"


def test_a_published_issue_refuses_changes_through_the_forms(demo, client, auth):
    with demo.app_context():
        issue_id = make_issue(publish=True)
        with tenant_scope(tenant_by_slug("qinglan")):
            article_id = _first_article(issue_id)
    auth.login("zheng")
    page = client.get(f"{ADMIN}/issues/{issue_id}").get_data(as_text=True)
    assert "内容已冻结" in page and "加入文章" not in page and "上移" not in page
    # The edit page of a published article is the validity page; editing the issue redirects with the reason.
    edit = client.get(f"{ADMIN}/articles/{article_id}", follow_redirects=True).get_data(as_text=True)
    assert "正文和文件信息已冻结" in edit and 'name="title"' not in edit
    issue_edit = client.get(f"{ADMIN}/issues/{issue_id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "本期公报已出版，内容不能再修改" in issue_edit
    token_ = csrf_from(page)
    for url in (f"{ADMIN}/articles/{article_id}/delete", f"{ADMIN}/articles/{article_id}/move"):
        answer = client.post(url, data={"csrf_token": token_, "direction": "down"}, follow_redirects=True)
        assert "本期公报已出版，内容不能再修改" in answer.get_data(as_text=True)
    new = client.get(f"{ADMIN}/issues/{issue_id}/articles/new", follow_redirects=True).get_data(as_text=True)
    assert "本期公报已出版" in new
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert len(db.session.get(GazetteIssue, issue_id).articles) == 1


def test_a_published_issue_refuses_changes_through_the_api(demo, client, runner):
    with demo.app_context():
        issue_id = make_issue(publish=True)
        with tenant_scope(tenant_by_slug("qinglan")):
            article_id = _first_article(issue_id)
    headers = token(runner, "zheng")
    for method, url, body in (
            ("patch", f"{API}/articles/{article_id}", {"title": "改了"}),
            ("delete", f"{API}/articles/{article_id}", None),
            ("post", f"{API}/issues/{issue_id}/articles", {"section": "规范性文件", "title": "新加的"}),
            ("patch", f"{API}/issues/{issue_id}", {"editor_note": "补一段"}),
            ("post", f"{API}/issues/{issue_id}/publish", None)):
        answer = getattr(client, method)(url, json=body, headers=headers)
        assert answer.status_code == 409, (url, answer.get_json())
        assert "已出版" in answer.get_json()["error"]
    validity = client.post(f"{API}/articles/{article_id}/validity", json={"validity": "expired",
                                                                          "validity_date": "2026-06-30"},
                           headers=headers)
    assert validity.status_code == 200 and validity.get_json()["validity"] == "expired"


def test_editor_builds_previews_and_publishes_an_issue_in_the_admin(demo, client, auth):
    auth.login("zheng")
    response = post_form(client, f"{ADMIN}/issues/new", {
        "year": "2026", "number": "11", "total_number": "95", "published_on": "2026-11-15",
        "editor_note": "本期刊登两件文件。", "sections": "规范性文件\n人事任免"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已新建2026年第11期（总第95期）" in page
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        issue_id = db.session.scalar(select(GazetteIssue.id).where(GazetteIssue.total_number == 95))
    # Bad input: a clear message on the field, nothing saved.
    bad = post_form(client, f"{ADMIN}/issues/{issue_id}/articles/new", {
        "section": "规范性文件", "title": "", "doc_no": "青政发〔2026〕30号"})
    assert "此项必填" in bad.get_data(as_text=True)
    bad_dates = post_form(client, f"{ADMIN}/issues/{issue_id}/articles/new", {
        "section": "规范性文件", "title": "日期不对的文件", "written_date": "2026-11-10", "effective_date": "2026-11-01"})
    assert "施行日期不能早于成文日期" in bad_dates.get_data(as_text=True)
    for title, section in (("青岚县人民政府关于印发《青岚县河道管理办法》的通知", "规范性文件"),
                           ("青岚县人民政府关于刘强等同志职务任免的通知", "人事任免"),
                           ("青岚县人民政府关于印发《青岚县道路养护办法》的通知", "规范性文件")):
        added = post_form(client, f"{ADMIN}/issues/{issue_id}/articles/new", {
            "section": section, "title": title, "doc_no": "", "issuers": "青岚县人民政府",
            "written_date": "2026-11-03", "body": "<p>正文<script>alert(1)</script></p>"}, follow_redirects=True)
        assert f"已加入“{title}”" in added.get_data(as_text=True)
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        issue = db.session.get(GazetteIssue, issue_id)
        assert [a.section for a in issue.articles] == ["规范性文件", "规范性文件", "人事任免"]
        assert "<script>" not in issue.articles[0].body
        third = issue.articles[1].id
    page = client.get(f"{ADMIN}/issues/{issue_id}").get_data(as_text=True)
    client.post(f"{ADMIN}/articles/{third}/move", data={"csrf_token": csrf_from(page), "direction": "up"})
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert db.session.get(GazetteIssue, issue_id).articles[0].id == third
    preview = client.get(f"{ADMIN}/issues/{issue_id}/preview.pdf")
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")
    page = client.get(f"{ADMIN}/issues/{issue_id}").get_data(as_text=True)
    assert "当前 PDF 共" in page
    # Publishing needs the confirmation box.
    unconfirmed = client.post(f"{ADMIN}/issues/{issue_id}/publish", data={"csrf_token": csrf_from(page)},
                              follow_redirects=True)
    assert "请勾选" in unconfirmed.get_data(as_text=True)
    published = client.post(f"{ADMIN}/issues/{issue_id}/publish", data={"csrf_token": csrf_from(page), "confirm": "yes"},
                            follow_redirects=True)
    assert "2026年第11期（总第95期）已出版" in published.get_data(as_text=True)
    public = client.get("/qinglan/gazette/2026/11/").get_data(as_text=True)
    assert "河道管理办法" in public and "本期刊登两件文件" in public
    assert client.get("/api/v1/tenants/qinglan/gazette/search", query_string={"q": "河道"}).get_json()["total"] == 1


def test_reviewer_may_publish_but_not_edit_and_public_cannot_reach_the_admin(demo, client, auth):
    with demo.app_context():
        issue_id = make_issue()
    assert client.get(f"{ADMIN}/issues/{issue_id}").status_code in (302, 401)
    auth.login("zhao")   # reviewer of 白水镇, nothing in 青岚县
    assert client.get(f"{ADMIN}/issues/{issue_id}").status_code == 404


def test_errata_must_correct_an_earlier_published_issue(demo):
    with demo.app_context():
        old = make_issue(year=2025, number=1, publish=True)
        draft_old = make_issue(year=2025, number=2)
        current = make_issue(year=2025, number=3, articles=[])
        with tenant_scope(tenant_by_slug("qinglan")):
            issue = db.session.get(GazetteIssue, current)
            with pytest.raises(DomainError, match="勘误只能更正此前已出版"):
                services.add_article(SYSTEM, issue, {"section": "勘误", "title": "更正", "corrects_id":
                                                     _first_article(draft_old)})
            db.session.rollback()
            issue = db.session.get(GazetteIssue, current)
            erratum = services.add_article(SYSTEM, issue, {"section": "勘误", "title": "更正",
                                                           "corrects_id": _first_article(old)})
            assert erratum.corrects_id == _first_article(old) and "勘误" in issue.sections
            later = make_issue(year=2025, number=4, publish=True)
            with pytest.raises(DomainError, match="勘误只能更正此前已出版"):
                services.update_article(SYSTEM, erratum, {"corrects_id": _first_article(later)})


def test_settings_change_the_name_of_future_issues_only(demo, client, auth):
    with demo.app_context():
        published = make_issue(year=2025, number=1, publish=True)
    auth.login("wang")        # the gazette's settings are the admin's
    saved = post_form(client, f"{ADMIN}/settings", {"name": "青岚县人民政府公报（新版）", "editing_unit": "青岚县人民政府办公室",
                                                     "frequency": "monthly", "sections": "规范性文件\n人事任免"},
                      follow_redirects=True)
    assert "已保存" in saved.get_data(as_text=True)
    assert "青岚县人民政府公报（新版）" in client.get("/qinglan/gazette/").get_data(as_text=True)
    old_page = client.get("/qinglan/gazette/2025/1/").get_data(as_text=True)
    assert "青岚县人民政府公报（新版）" not in old_page and "青岚县人民政府公报" in old_page
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert db.session.get(GazetteIssue, published).gazette_name == "青岚县人民政府公报"
        issue = services.create_issue(SYSTEM, tenant_by_slug("qinglan"), {"year": 2025, "published_on": "2025-02-15"})
        assert issue.sections == ["规范性文件", "人事任免"]
    auth.logout()
    auth.login("li")   # an editor of 白水镇 cannot change 青岚县's gazette
    assert client.get(f"{ADMIN}/settings").status_code == 404


@pytest.mark.needs_plugins("catalog")   # the record comes from the catalog, through lookup_documents
def test_an_article_taken_from_a_catalog_record_is_entered_once_and_linked_both_ways(demo, client, auth):
    from plugins.catalog import services as catalog
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        qinglan = tenant_by_slug("qinglan")
        item = catalog.leaf_items(qinglan)[0]
        record = catalog.create_record(SYSTEM, qinglan, {
            "item_id": item.id, "title": "青岚县人民政府关于印发《青岚县农村公路养护管理办法》的通知",
            "doc_no": "青政发〔2026〕21号", "issuing_body": "青岚县人民政府", "written_date": "2026-10-20",
            "body": "<p>第一条　为加强农村公路养护，制定本办法。</p>"})
        catalog.publish(SYSTEM, record, review_confirmed=True)
        db.session.commit()
        record_id = record.id
    with demo.app_context():
        issue_id = make_issue(year=2026, number=11, total=95, articles=[])
    auth.login("zheng")
    found = client.get(f"{ADMIN}/issues/{issue_id}/articles/new", query_string={"find": "〔2026〕21号"})
    assert "农村公路养护管理办法" in found.get_data(as_text=True)
    form = client.get(f"{ADMIN}/issues/{issue_id}/articles/new", query_string={"source": f"catalog:record:{record_id}"})
    html = form.get_data(as_text=True)
    assert 'value="青政发〔2026〕21号"' in html and "引用自政府信息" in html
    saved = client.post(f"{ADMIN}/issues/{issue_id}/articles/new", data={
        "csrf_token": csrf_from(html), "section": "规范性文件",
        "title": "青岚县人民政府关于印发《青岚县农村公路养护管理办法》的通知", "doc_no": "青政发〔2026〕21号",
        "issuers": "青岚县人民政府", "written_date": "2026-10-20", "body": "<p>第一条　为加强农村公路养护，制定本办法。</p>",
        "source_ref": f"catalog:record:{record_id}"}, follow_redirects=True)
    assert "已加入" in saved.get_data(as_text=True)
    with demo.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        issue = db.session.get(GazetteIssue, issue_id)
        assert issue.articles[0].source_ref == f"catalog:record:{record_id}"
        services.publish_issue(SYSTEM, issue, make_pdf=False)
        db.session.commit()
        article_id = issue.articles[0].id
    record_page = client.get(f"/qinglan/catalog/records/{record_id}").get_data(as_text=True)
    assert "刊登于《青岚县人民政府公报》2026年第11期" in record_page
    assert f"/qinglan/gazette/articles/{article_id}" in record_page
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):   # another tenant's records are not offered
            assert services.find_sources(tenant_by_slug("baishui"), "农村公路") == []
            assert services.source(tenant_by_slug("baishui"), f"catalog:record:{record_id}") is None
        with tenant_scope(tenant_by_slug("qinglan")):    # nor an unknown record
            with pytest.raises(DomainError, match="不存在或尚未公开"):
                services.fields_from_source(tenant_by_slug("qinglan"), "catalog:record:999999")


def test_an_article_doc_no_is_stored_as_gb_t_9704_writes_it(demo):
    """Issue 18, point 3: whatever brackets the editor or an import typed, 〔〕 is stored."""
    with demo.app_context():
        issue_id = make_issue(year=2024, number=11, articles=[
            {"section": "规范性文件", "title": "青岚县某某管理办法", "doc_no": "青政发（2024）第07号",
             "issuers": ["青岚县人民政府"], "body": "<p>第一条　为规范管理，制定本办法。</p>"}])
        with tenant_scope(tenant_by_slug("qinglan")):
            issue = db.session.get(GazetteIssue, issue_id)
            assert [a.doc_no for a in issue.articles] == ["青政发〔2024〕7号"]
