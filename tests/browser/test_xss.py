"""Stored XSS, end to end: all 708 public vectors (tests/fixtures/xss: PayloadsAllTheThings, the
OWASP filter-evasion list, html5sec-style mutation vectors) saved through every rich-text field and
every field the public types, then rendered in headless Chromium, on the public pages and on the
admin pages where editors read what the public sent.

The browser context bypasses the Content-Security-Policy, so the sanitizer and the templates'
escaping are the only defence being tested (the policy is a second one). A vector "executes" when
a dialog opens (alert, confirm, prompt, print) or when the rendered page holds anything a browser
could run without a click: an on* attribute, a script element, a javascript: or data: URL.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.accounts import SYSTEM
from core.clock import utcnow
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from tests.browser.conftest import DESKTOP
from tests.core.test_sanitize import VECTORS

REQUIRES_PLUGINS = ("catalog", "opinions", "open_day", "gazette")   # every field of every plugin

CHUNK = 60           # vectors per document: 12 documents per field
TOWN = "liuhe"       # the other browser tests read 白水镇 and the county; this town is ours

# What a browser could run without a click, anywhere in <main>.
FIND_ACTIVE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('main *')) {
    if (el.tagName === 'SCRIPT') found.push('script element');
    for (const a of el.attributes) {
      const v = a.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(a.name)
          && (v.startsWith('javascript:') || v.startsWith('vbscript:') || v.startsWith('data:text/html')))
        found.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 40));
    }
    for (const name of ['iframe', 'object', 'embed', 'frame', 'base', 'meta', 'svg', 'math'])
      if (el.tagName.toLowerCase() === name) found.push(name + ' element');
  }
  return found;
}"""


def chunks():
    return [VECTORS[i:i + CHUNK] for i in range(0, len(VECTORS), CHUNK)]


def rich(vectors) -> str:
    """A document of ordinary text with the vectors in it (a body of vectors alone may clean to nothing)."""
    return "<p>第一条　为做好测试工作，制定本办法。</p>\n" + "".join(f"<p>{v}</p>\n" for v in vectors)


@pytest.fixture(scope="module")
def stored(site):
    """Every field gets every vector; returns the public and admin pages that show them."""
    from plugins.catalog import services as catalog
    from plugins.gazette import services as gazette
    from plugins.open_day import services as open_day
    from plugins.opinions import services as opinions
    from tests.catalog.fixtures import leaf
    from core.clock import china_today
    public, admin = [], []
    with site.app.app_context():
        town = tenant_by_slug(TOWN)
        county = tenant_by_slug("qinglan")
        path = town.url_path
        with tenant_scope(town):
            item = leaf(town, "法律援助")
            for n, part in enumerate(chunks()):
                record = catalog.create_record(SYSTEM, town, {"item_id": item.id, "title": f"XSS 测试记录 {n}",
                                                              "body": rich(part)})
                catalog.publish(SYSTEM, record, review_confirmed=True)
                db.session.flush()
                public.append(f"/{path}/catalog/records/{record.id}")
            today = china_today()
            consultations = []
            for n, part in enumerate(chunks()):
                c = opinions.create_consultation(SYSTEM, town, {
                    "title": f"XSS 测试征求意见稿 {n}", "draft_html": rich(part), "starts_on": today - timedelta(days=1),
                    "ends_on": today + timedelta(days=30), "moderation": "immediate"})
                opinions.announce(SYSTEM, c)
                db.session.flush()
                consultations.append(c)
                public.append(f"/{path}/opinions/{c.id}")
            # What the public types: every vector as a comment, and as the commenter's name
            target = consultations[0]
            for v in VECTORS:
                opinions.submit_comment(target, {"content": f"我的意见如下：{v}"[:2000], "author_name": v[:30], "consent": True})
            pages = -(-len(VECTORS) // 50)      # the editors' list shows 50 per page
            admin += [f"/admin/{town.slug}/opinions/{target.id}?page={k}" for k in range(1, pages + 1)]
            now = utcnow()
            for n, part in enumerate(chunks()):
                event = open_day.create_event(SYSTEM, town, {
                    "title": f"XSS 测试开放日 {n}", "place": "便民服务中心", "description_html": rich(part),
                    "starts_at": now + timedelta(days=5), "ends_at": now + timedelta(days=5, hours=2),
                    "registration_opens_at": now - timedelta(hours=1), "registration_closes_at": now + timedelta(days=3),
                    "places": 1000, "max_group_size": 1, "waitlist_enabled": False})
                open_day.publish_event(SYSTEM, event)
                db.session.flush()
                public.append(f"/{path}/open-day/{event.id}")
                if n == 0:       # registrants' names, shown in full to the town's editors
                    for i, v in enumerate(VECTORS):
                        open_day.register(event, {"name": v[:30], "phone": f"139{i:08d}", "consent": True})
                    admin += [f"/admin/{town.slug}/open-day/{event.id}?page={k}" for k in range(1, pages + 1)]
        with tenant_scope(county):
            issue = gazette.create_issue(SYSTEM, county, {"year": 2023, "number": 7, "total_number": 9001,
                                                           "published_on": date(2023, 7, 15)})
            articles = [gazette.add_article(SYSTEM, issue, {
                "section": "规范性文件", "title": f"XSS 测试文件 {n}", "issuers": ["青岚县人民政府"], "body": rich(part)})
                for n, part in enumerate(chunks())]
            gazette.publish_issue(SYSTEM, issue, make_pdf=False)
            db.session.flush()
            public += [f"/qinglan/gazette/articles/{a.id}" for a in articles]
        db.session.commit()
    return {"public": public, "admin": admin}


def _visit(page, site, path) -> list[str]:
    response = page.goto(site.url + path, wait_until="load")
    assert response.status == 200, path
    page.wait_for_timeout(50)           # onload, onfocus with autofocus, animations: they fire by now
    return page.evaluate(FIND_ACTIVE)


def test_every_vector_reaches_every_field(stored):
    assert len(VECTORS) == 652 >= 300           # the 708 lines of the lists, less blank ones
    pages = -(-len(VECTORS) // 50)
    assert len(stored["public"]) == 4 * len(chunks()) and len(stored["admin"]) == 2 * pages


def test_no_vector_executes_on_the_public_pages(site, page, stored):
    findings = {}
    for path in stored["public"]:
        active = _visit(page, site, path)
        if active:
            findings[path] = active
    assert page.dialogs == [] and findings == {}


def test_no_vector_executes_where_editors_read_what_the_public_sent(site, browser, stored):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with site.app.app_context():
        from core.accounts import create_user, grant_role, user_by_username
        if user_by_username("xss-editor") is None:
            grant_role(SYSTEM, create_user("xss-editor", "river-willow-lamp"), tenant_by_slug(TOWN), "editor")
            db.session.commit()
    page.goto(site.url + "/admin/login")
    page.get_by_label("用户名").fill("xss-editor")
    page.get_by_label("密码").fill("river-willow-lamp")
    page.get_by_role("button", name="登录").click()
    findings = {}
    for path in stored["admin"]:
        active = _visit(page, site, path)
        # Every submission is listed (registrants' names masked, comments in full)
        assert f"共 {len(VECTORS)} 条" in page.locator("main").inner_text(), path
        if active:
            findings[path] = active
    context.close()
    assert dialogs == [] and findings == {}


def test_the_detector_sees_what_would_run(site, page):
    """Control: the same checks report an unsanitized page (served as a data: URL here)."""
    page.set_content("<main><p>x</p><img src=x onerror=alert(1)><a href='javascript:alert(2)'>y</a></main>")
    page.wait_for_timeout(50)
    assert page.dialogs == ["1"]
    assert page.evaluate(FIND_ACTIVE) == ["IMG onerror", "A href=javascript:alert(2)"]

