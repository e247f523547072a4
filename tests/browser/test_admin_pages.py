"""The admin area at a phone's width (390 px) and a desktop's (1280 px), issue 18 point 5: no page
scrolls sideways (a wide table scrolls inside its own box, or becomes cards), no column is
narrower than its header's word (a header never breaks inside a word), WCAG 2.1 A/AA by axe (once
per page, at phone width: contrast, names and structure do not change with the width); the
screenshots of each page at both widths are kept in the test's folder (and in docs/screenshots/
with UPDATE_SCREENSHOTS=1)."""
from __future__ import annotations

import os

import pytest

from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import violations
from tests.browser.test_journeys import SCREENSHOTS, login

pytestmark = pytest.mark.needs_plugins("catalog", "opinions", "open_day", "gazette", "applications", "disclosure")

PHONE_390 = {"width": 390, "height": 844}
# The pages editors and supervisors use every day, and one of each kind of table and form (the
# others share their templates' layout: the settings forms, the outbox, the calendar, the
# open-day and gazette lists); each page costs the suite about two seconds.
PAGES = {
    "dashboard": "/admin/baishui/",
    "records": "/admin/baishui/catalog/records",
    "record-new": "/admin/baishui/catalog/records/new",
    "items": "/admin/baishui/catalog/items",
    "review": "/admin/qinglan/catalog/review",
    "supervision": "/admin/qinglan/catalog/supervision",
    "supervision-town": "/admin/qinglan/catalog/supervision/baishui",
    "consultations": "/admin/qinglan/opinions/",
    "users": "/admin/qinglan/users",
    "audit": "/admin/qinglan/audit",
    "applications": "/admin/qinglan/applications/",
    "application-statistics": "/admin/baishui/applications/stats",
    "application": None,                  # the first of the demo's applications at 白水镇 (below)
    "annual-report": None,                # 白水镇's draft annual report of this year (below)
    "annual-reports-overview": "/admin/qinglan/disclosure/overview",
}


def _path(site, name: str) -> str:
    if PAGES[name] is not None:
        return PAGES[name]
    from sqlalchemy import select

    from core.db import db
    from core.tenants import tenant_by_slug, tenant_scope
    from plugins.applications.models import Application
    from plugins.disclosure.models import AnnualReport
    with site.app.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            if name == "annual-report":
                draft = db.session.scalar(select(AnnualReport.id).where(AnnualReport.status == "draft")
                                          .order_by(AnnualReport.year.desc()))
                return f"/admin/baishui/disclosure/{draft}"
            first = db.session.scalar(select(Application.id).order_by(Application.id))
    return f"/admin/baishui/applications/{first}"

# Per page: the widths of the page, and of each header cell against its text, measured in the page.
MEASURE = """() => {
  const root = document.scrollingElement;
  const narrow = [];
  for (const th of document.querySelectorAll('main th')) {
    if (!th.offsetParent) continue;                       // a hidden header (cards at phone width)
    const range = document.createRange();
    range.selectNodeContents(th);
    const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    const text = th.innerText.trim();
    if (lines.size > 1 && text.length <= 8) narrow.push(text);
  }
  return {overflow: root.scrollWidth - window.innerWidth, narrow};
}"""


@pytest.fixture(scope="module")
def superadmin(site, browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    login(page, site, "admin")
    yield page
    context.close()


@pytest.mark.parametrize("width", ["phone", "desktop"])
@pytest.mark.parametrize("name", list(PAGES))
def test_admin_page_fits_reads_and_passes_axe(site, superadmin, name, width, tmp_path):
    page = superadmin
    page.set_viewport_size(PHONE_390 if width == "phone" else DESKTOP)
    path = _path(site, name)
    response = page.goto(site.url + path)
    assert response.status == 200, path
    measured = page.evaluate(MEASURE)
    assert measured["overflow"] <= 0, f"{name} scrolls sideways by {measured['overflow']} px"
    assert measured["narrow"] == [], f"{name}: headers broken inside a word: {measured['narrow']}"
    folder = SCREENSHOTS / "admin" if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{width}.png"))
    if width == "phone":              # axe once per page: the rules it checks do not depend on the width
        assert violations(page) == []
