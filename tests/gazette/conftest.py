"""Helpers for the gazette tests: the demo gazette, issues built through the services, tokens."""
from __future__ import annotations

from datetime import date

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import services
from tests.conftest import _restore_snapshot, _sync_demo


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
