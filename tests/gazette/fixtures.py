"""Helpers for the gazette tests: the demo gazette, issues built through the services, tokens."""
from __future__ import annotations

from datetime import date

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import services
from tests.conftest import _restore_snapshot, _sync_demo
from tests.access import SECRET


def _demo_gazette(app) -> None:
    from plugins.gazette.demo import load_demo
    _sync_demo(app)
    assert load_demo()


@pytest.fixture
def gazette(app, snapshots):
    """The demo county with its twelve demo issues of the gazette (instead of `demo`, not with it)."""
    _restore_snapshot(app, snapshots("gazette", _demo_gazette))
    return app


def make_issue(slug: str = "qinglan", *, year: int = 2024, number: int = 1, total: int | None = None,
               articles: list[dict] | None = None, publish: bool = False, **extra) -> int:
    """An issue with the given articles (each a dict for services.add_article); returns its id."""
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        issue = services.create_issue(SYSTEM, tenant, {
            "year": year, "number": number, "total_number": total or (year - 2000) * 12 + number,
            "published_on": date(year, min(number, 12), 15), **extra})
        for article in articles if articles is not None else [
                {"section": "规范性文件", "title": "青岚县人民政府关于印发《青岚县测试管理办法》的通知",
                 "doc_no": f"青政发〔{year}〕{number}号", "issuers": ["青岚县人民政府"],
                 "body": "<p>第一条　为规范测试工作，制定本办法。</p>"}]:
            services.add_article(SYSTEM, issue, article)
        if publish:
            services.publish_issue(SYSTEM, issue, make_pdf=False)
        db.session.commit()
        return issue.id


def token(runner, username: str) -> dict:
    output = runner.invoke(args=["users", "token", username]).output
    return {"Authorization": "Bearer " + output.strip().splitlines()[-1]}



# --- the access matrix (tests/access.py) --------------------------------------------------------

def pytest_cms_access_routes():
    return {
    ("gazette.article", "/<tenant:tenant_path>/gazette/articles/<int:article_id>"): "public",
    ("gazette.browse", "/<tenant:tenant_path>/gazette/browse"): "public",
    ("gazette.feed", "/<tenant:tenant_path>/gazette/feed.atom"): "public",
    ("gazette.index", "/<tenant:tenant_path>/gazette/"): "public",
    ("gazette.issue", "/<tenant:tenant_path>/gazette/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>/"): "public",
    ("gazette.issue_pdf", "/<tenant:tenant_path>/gazette/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>.pdf"): "public",
    ("gazette.search", "/<tenant:tenant_path>/gazette/search"): "public",
    ("gazette.year", "/<tenant:tenant_path>/gazette/<int(min=1900,max=2200):year>/"): "public",
    ("gazette_admin.article_delete", "/admin/<tenant_slug>/gazette/articles/<int:article_id>/delete"): "admin",
    ("gazette_admin.article_edit", "/admin/<tenant_slug>/gazette/articles/<int:article_id>"): "admin",
    ("gazette_admin.article_move", "/admin/<tenant_slug>/gazette/articles/<int:article_id>/move"): "admin",
    ("gazette_admin.article_new", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/articles/new"): "admin",
    ("gazette_admin.article_validity", "/admin/<tenant_slug>/gazette/articles/<int:article_id>/validity"): "admin",
    ("gazette_admin.index", "/admin/<tenant_slug>/gazette/"): "admin",
    ("gazette_admin.issue", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>"): "admin",
    ("gazette_admin.issue_delete", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/delete"): "admin",
    ("gazette_admin.issue_edit", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/edit"): "admin",
    ("gazette_admin.issue_new", "/admin/<tenant_slug>/gazette/issues/new"): "admin",
    ("gazette_admin.issue_pdf", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/preview.pdf"): "admin",
    ("gazette_admin.issue_publish", "/admin/<tenant_slug>/gazette/issues/<int:issue_id>/publish"): "admin",
    ("gazette_admin.settings", "/admin/<tenant_slug>/gazette/settings"): "admin",
    ("gazette_api.add_article", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>/articles"): "api_write",
    ("gazette_api.article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>"): "api_read",
    ("gazette_api.create_issue", "/api/v1/tenants/<tenant_slug>/gazette/issues"): "api_write",
    ("gazette_api.delete_article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>"): "api_write",
    ("gazette_api.issue", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>"): "api_read",
    ("gazette_api.issue_by_number", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>"): "api_read",
    ("gazette_api.issues", "/api/v1/tenants/<tenant_slug>/gazette/issues"): "api_read",
    ("gazette_api.move_article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>/move"): "api_write",
    ("gazette_api.publish", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>/publish"): "api_write",
    ("gazette_api.search", "/api/v1/tenants/<tenant_slug>/gazette/search"): "api_read",
    ("gazette_api.update_article", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>"): "api_write",
    ("gazette_api.update_issue", "/api/v1/tenants/<tenant_slug>/gazette/issues/<int:issue_id>"): "api_write",
    ("gazette_api.validity", "/api/v1/tenants/<tenant_slug>/gazette/articles/<int:article_id>/validity"): "api_write",
    }


def pytest_cms_access_objects(town, county):
    from core.clock import china_today
    with tenant_scope(county):
        issue = services.create_issue(SYSTEM, county, {"year": 2029, "number": 3, "total_number": 9003,
                                                       "published_on": china_today().replace(year=2029)})
        article = services.add_article(SYSTEM, issue, {"section": "规范性文件", "title": f"{SECRET}公报草稿",
                                                       "issuers": ["青岚县人民政府"], "body": f"<p>{SECRET}</p>"})
    return {"blueprints": ('gazette', 'gazette_admin', 'gazette_api'),
            "any": {"issue_id": issue.id, "article_id": article.id, "year": 2029, "number": 3},
            "objects": {"issue_id", "article_id", "year"}, "private": {"article_id", "year"}, "owned": {"article_id"}}


def pytest_cms_access_owner_pages(values):
    return []
