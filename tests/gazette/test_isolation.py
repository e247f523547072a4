"""Tenant isolation: another county's editor and the public cannot reach what is not theirs, and
the gazette serves districts only."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette.models import GazetteArticle
from tests.conftest import DEMO_PASSWORD, csrf_from
from tests.gazette.fixtures import make_issue, token


@pytest.fixture
def two_counties(demo, runner):
    """青岚县 (the demo) and 远山县 with its own editor, each with a published and a draft issue."""
    assert runner.invoke(args=["tenants", "create", "yuanshan", "--name", "远山县", "--kind", "district"]).exit_code == 0
    assert runner.invoke(args=["users", "create", "sun", "--password", DEMO_PASSWORD]).exit_code == 0
    assert runner.invoke(args=["users", "grant", "sun", "editor", "yuanshan"]).exit_code == 0
    ids = {}
    with demo.app_context():
        for slug, word in (("qinglan", "青岚"), ("yuanshan", "远山")):
            published = make_issue(slug, year=2025, number=1, publish=True, articles=[
                {"section": "规范性文件", "title": f"{word}县人民政府关于印发《{word}县水库管理办法》的通知",
                 "doc_no": f"{word[0]}政发〔2025〕1号", "body": "<p>水库管理。</p>"}])
            draft = make_issue(slug, year=2025, number=2, articles=[
                {"section": "规范性文件", "title": f"{word}县未出版的草稿", "body": "<p>草稿。</p>"}])
            with tenant_scope(tenant_by_slug(slug)):
                ids[slug] = {"published": published, "draft": draft,
                             "article": db.session.scalar(select(GazetteArticle.id).where(
                                 GazetteArticle.issue_id == published)),
                             "draft_article": db.session.scalar(select(GazetteArticle.id).where(
                                 GazetteArticle.issue_id == draft))}
    return ids


def test_public_pages_of_one_county_never_show_the_other(two_counties, client):
    mine, other = two_counties["qinglan"], two_counties["yuanshan"]
    assert client.get(f"/qinglan/gazette/articles/{mine['article']}").status_code == 200
    assert client.get(f"/qinglan/gazette/articles/{other['article']}").status_code == 404
    assert client.get(f"/yuanshan/gazette/articles/{mine['article']}").status_code == 404
    search = client.get("/qinglan/gazette/search", query_string={"q": "水库"}).get_data(as_text=True)
    assert "青岚县人民政府关于印发" in search and "远山" not in search
    api = client.get("/api/v1/tenants/yuanshan/gazette/search", query_string={"q": "水库"}).get_json()
    assert [i["id"] for i in api["items"]] == [other["article"]]
    assert client.get(f"/api/v1/tenants/yuanshan/gazette/articles/{mine['article']}").status_code == 404
    assert client.get(f"/api/v1/tenants/yuanshan/gazette/issues/{mine['published']}").status_code == 404
    assert "远山" not in client.get("/qinglan/gazette/feed.atom").get_data(as_text=True)


def test_another_countys_editor_cannot_read_or_change_drafts(two_counties, client, auth, runner):
    mine = two_counties["qinglan"]
    auth.login("sun")
    for url in ("/admin/qinglan/gazette/", f"/admin/qinglan/gazette/issues/{mine['draft']}",
                f"/admin/qinglan/gazette/articles/{mine['draft_article']}",
                f"/admin/qinglan/gazette/issues/{mine['draft']}/preview.pdf"):
        assert client.get(url).status_code == 404, url
    # Even through their own county's URLs, another county's objects are not found.
    assert client.get(f"/admin/yuanshan/gazette/issues/{mine['draft']}").status_code == 404
    assert client.get(f"/admin/yuanshan/gazette/articles/{mine['draft_article']}").status_code == 404
    page = client.get("/admin/yuanshan/gazette/")
    answer = client.post(f"/admin/yuanshan/gazette/articles/{mine['draft_article']}/delete",
                         data={"csrf_token": csrf_from(page.get_data(as_text=True))})
    assert answer.status_code == 404
    headers = token(runner, "sun")
    assert client.get(f"/api/v1/tenants/qinglan/gazette/issues/{mine['draft']}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/tenants/yuanshan/gazette/articles/{mine['draft_article']}", json={"title": "改"},
                        headers=headers).status_code == 404
    assert client.post(f"/api/v1/tenants/qinglan/gazette/issues/{mine['draft']}/articles",
                       json={"section": "规范性文件", "title": "塞"}, headers=headers).status_code in (403, 404)
    assert client.post(f"/api/v1/tenants/yuanshan/gazette/issues/{mine['draft']}/publish",
                       headers=headers).status_code == 404
    with client.application.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert db.session.get(GazetteArticle, mine["draft_article"]).title == "青岚县未出版的草稿"


def test_the_public_and_a_town_editor_cannot_use_the_editor_api(two_counties, client, runner):
    mine = two_counties["qinglan"]
    assert client.post("/api/v1/tenants/qinglan/gazette/issues", json={}).status_code == 401
    assert client.get(f"/api/v1/tenants/qinglan/gazette/issues/{mine['draft']}").status_code == 404
    headers = token(runner, "li")   # editor of 白水镇, a town below 青岚县
    assert client.post("/api/v1/tenants/qinglan/gazette/issues", json={}, headers=headers).status_code in (403, 404)


def test_the_gazette_serves_districts_only(demo, client, auth):
    assert client.get("/qinglan/baishui/gazette/").status_code == 404
    auth.login("li")
    assert client.get("/admin/baishui/gazette/").status_code == 404
    nav = client.get("/qinglan/baishui/").get_data(as_text=True)
    assert "政府公报" not in nav

