"""Real-browser tests: the demo county served by a real HTTP server in a thread, driven by
Playwright in Debian's headless chromium (never a browser Playwright downloads).

The site has its own database (an SQLite file, or a fresh PostgreSQL database when
TEST_DATABASE_URL is set), migrated and loaded exactly as `make run` does, once per session."""
from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from core.db import db
from tests.conftest import AVAILABLE_PLUGINS, DEMO_FILE, fresh_database, make_app

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Site:
    url: str
    app: object
    paths: dict[str, str] = field(default_factory=dict)


# Which plugin each page type belongs to (the others are core's): pages of a plugin absent or off
# are not tried.
PAGE_PLUGINS = {"catalog": "catalog", "record": "catalog", "consultation": "opinions", "feedback": "opinions",
                "apply": "applications", "application_status": "applications",
                "open_day": "open_day", "gazette_issue": "gazette", "gazette_article": "gazette",
                "disclosure": "disclosure", "annual_report": "disclosure", "policy_library": "disclosure",
                "decisions": "decisions", "decision_item": "decisions"}


def available_pages(kinds: list[str]) -> list[str]:
    return [k for k in kinds if PAGE_PLUGINS.get(k, "core") in AVAILABLE_PLUGINS | {"core"}]


def _tenant_id(app, slug: str) -> int:
    from core.tenants import tenant_by_slug
    return tenant_by_slug(slug).id


def _paths(app) -> dict[str, str]:
    """One page of every public page type of the demo."""
    from core.tenants import across_tenants
    paths = {"home": "/qinglan/baishui/", "search": "/qinglan/search?q=%E8%A1%A5%E8%B4%B4",      # 补贴
             "apply": "/qinglan/baishui/applications/", "application_status": "/qinglan/baishui/applications/status"}
    with app.app_context(), across_tenants(None, reason="browser tests: demo page addresses"):
        if "disclosure" in AVAILABLE_PLUGINS:
            from plugins.disclosure.models import AnnualReport
            report = db.session.scalar(select(AnnualReport).where(AnnualReport.status == "published",
                                                                  AnnualReport.tenant_id == _tenant_id(app, "baishui"))
                                       .order_by(AnnualReport.year.desc()))
            paths.update(disclosure="/qinglan/baishui/disclosure/",
                         annual_report=f"/qinglan/baishui/disclosure/reports/{report.id}",
                         policy_library="/qinglan/disclosure/policies/")
        if "decisions" in AVAILABLE_PLUGINS:
            from plugins.decisions.models import DecisionItem
            item = db.session.scalar(select(DecisionItem).where(DecisionItem.tenant_id == _tenant_id(app, "qinglan"))
                                     .order_by(DecisionItem.id))
            paths.update(decisions="/qinglan/decisions/", decision_item=f"/qinglan/decisions/items/{item.id}")
        if "catalog" in AVAILABLE_PLUGINS:
            from plugins.catalog.models import Record
            record = db.session.scalar(select(Record).where(Record.status == "published").order_by(Record.id))
            paths.update(catalog=f"/{record.tenant.url_path}/catalog/",
                         record=f"/{record.tenant.url_path}/catalog/records/{record.id}")
        if "opinions" in AVAILABLE_PLUGINS:
            from plugins.opinions.models import Consultation
            consultations = db.session.scalars(select(Consultation).order_by(Consultation.id)).all()
            open_c = next(c for c in consultations if c.status() == "open")
            answered = next(c for c in consultations if c.status() == "answered")
            paths.update(consultation=f"/{open_c.tenant.url_path}/opinions/{open_c.id}",
                         feedback=f"/{answered.tenant.url_path}/opinions/{answered.id}/feedback")
        if "open_day" in AVAILABLE_PLUGINS:
            from plugins.open_day.models import OpenDay
            event = next(e for e in db.session.scalars(select(OpenDay).order_by(OpenDay.id)) if e.status() == "open")
            paths["open_day"] = f"/{event.tenant.url_path}/open-day/{event.id}"
        if "gazette" in AVAILABLE_PLUGINS:
            from plugins.gazette.models import GazetteArticle, GazetteIssue
            issue = db.session.scalar(select(GazetteIssue).where(GazetteIssue.status == "published")
                                      .order_by(GazetteIssue.total_number.desc()))
            article = db.session.scalar(select(GazetteArticle).where(GazetteArticle.issue_id == issue.id)
                                        .order_by(GazetteArticle.section_position, GazetteArticle.position))
            paths.update(gazette_issue=f"/{issue.tenant.url_path}/gazette/{issue.year}/{issue.number}/",
                         gazette_article=f"/{issue.tenant.url_path}/gazette/articles/{article.id}")
    return paths


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Browser tests share one served site per worker: with `--dist loadgroup` they all go to the
    same worker, so the demo site is built once."""
    here = os.path.dirname(__file__)
    for item in items:
        if os.path.dirname(str(item.path)) == here:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("browser-db"), "cms_browser") as url:
        yield from _serve(url, tmp_path_factory)


def _serve(url, tmp_path_factory):
    from flask_migrate import upgrade

    from core.plugins import collect
    from core.tenants.provisioning import sync_file
    app = make_app(url, tmp_path_factory.mktemp("browser-site"))
    with app.app_context():
        upgrade(revision="heads")
        sync_file(DEMO_FILE)
        collect(app.extensions["cms"].hook.demo_content)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(url=f"http://127.0.0.1:{server.server_port}", app=app, paths=_paths(app))
    finally:
        server.shutdown()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    assert CHROMIUM, "chromium is not installed: `make test` installs Debian's chromium package"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) at phone width, with dialogs recorded, not accepted."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
