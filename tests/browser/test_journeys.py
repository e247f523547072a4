"""The three end-to-end journeys of the portal, in a real browser against a real server:
a member of the public comments on a consultation and reads the answer with the tracking code;
registers for an open day and cancels; an editor publishes a record and finds it through site search.

The two public forms are completed with the keyboard only: Tab to reach each control, typing,
Space to tick, Enter to send."""
from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from core.clock import china_today
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import DEMO_PASSWORD, enrolment_code_for, totp_code

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus (fails if it is never reached)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def complete_with_keyboard(page, fields: list[tuple[str, str | None]], submit: str) -> None:
    """Tab to each control and type its text (None: tick it with Space), then Enter on the button."""
    for selector, text in fields:
        tab_to(page, selector)
        if text is None:
            page.keyboard.press("Space")
            assert page.is_checked(selector)
        else:
            page.keyboard.type(text)
    tab_to(page, submit)
    page.keyboard.press("Enter")


@pytest.mark.needs_plugins("opinions")
def test_the_public_comments_on_a_consultation_and_reads_the_answer(site, page):
    page.goto(site.url + "/qinglan/baishui/")
    page.get_by_role("navigation", name="白水镇栏目").get_by_role("link", name="意见征集").click()
    page.get_by_role("link", name=re.compile("集贸市场改造提升方案")).first.click()
    expect(page).to_have_title(re.compile("征求意见稿"))          # waits for the page the click opens
    consultation_url = page.url

    complete_with_keyboard(page, [("textarea[name=content]", "建议早市延长到九点半，方便老人买菜。"),
                                  ("input[name=author_name]", "王秀兰"), ("input[name=consent]", None)],
                           submit="form[action*='/comments'] button[type=submit]")
    page.wait_for_url(re.compile(r"/thanks(#.*)?$"))
    assert page.get_by_role("heading", name="您的意见已提交").is_visible()
    code = page.locator(".tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    page.get_by_role("link", name="查看处理情况").click()
    expect(page.locator("main")).to_contain_text("征集结束后统一答复")

    # Behind the scenes: the town publishes the comment, the consultation closes, the town answers.
    _answer_and_publish_feedback(site, code, "采纳", "早市延长至 9:30，已写入第三条。")

    page.goto(consultation_url.rsplit("/", 1)[0] + "/track")
    tab_to(page, "input[name=code]")
    page.keyboard.type(code.lower().replace("-", " "))      # as people type it
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"code="))
    expect(page.locator("main")).to_contain_text("处理结果")
    result = page.locator("main").inner_text()
    assert "采纳" in result and "早市延长至 9:30" in result


def _answer_and_publish_feedback(site, code: str, disposition_label: str, reason: str) -> None:
    from plugins.opinions import services
    from plugins.opinions.models import DISPOSITION_LABELS
    from core.db import immediate_writes
    disposition = next(k for k, v in DISPOSITION_LABELS.items() if v == disposition_label)
    # As the site's own requests that write do: the write lock first, so that a write of the served
    # site (a session saved) between this block's reads and its writes cannot make SQLite refuse it.
    with site.app.app_context(), immediate_writes():
        baishui = tenant_by_slug("baishui")
        with tenant_scope(baishui):
            comment = services.comment_by_code(code)
            consultation = comment.consultation
            from plugins.opinions.models import Comment
            for other in db.session.scalars(select(Comment).where(Comment.consultation_id == consultation.id,
                                                                  Comment.status == "pending")):
                services.moderate(SYSTEM, other, "publish")
            consultation.starts_on = china_today() - timedelta(days=40)
            consultation.ends_on = china_today() - timedelta(days=1)
            db.session.flush()
            for other in services.unanswered(consultation):
                services.set_disposition(SYSTEM, other, disposition, reason)
            services.publish_feedback(SYSTEM, consultation)
            db.session.commit()


@pytest.mark.needs_plugins("open_day")
def test_the_public_registers_for_an_open_day_and_cancels(site, page):
    page.goto(site.url + "/qinglan/baishui/")
    page.get_by_role("navigation", name="白水镇栏目").get_by_role("link", name="政府开放日").click()
    page.get_by_role("link", name="走进白水镇便民服务中心").first.click()

    complete_with_keyboard(page, [("input[name=name]", "李建国"), ("input[name=phone]", "13912345678"),
                                  ("input[name=consent]", None)],
                           submit="form[action*='/register'] button[type=submit]")
    page.wait_for_url(re.compile(r"/registration/[^/]+"))
    expect(page.locator("main")).to_contain_text("报名成功")
    main = page.locator("main").inner_text()
    assert "报名成功" in main and "李**" in main and "李建国" not in main and "13912345678" not in main
    code = page.locator(".tracking-code").inner_text().strip()

    page.get_by_role("button", name="取消报名").click()
    expect(page.locator("main")).to_contain_text("已取消")
    # the code still finds the (cancelled) registration later
    page.goto(site.url + f"/qinglan/baishui/open-day/registration/{code}")
    assert "已取消" in page.locator("dl.metadata").inner_text()


def login(page, site, username: str) -> None:
    enrol = enrolment_code_for(site.app, username)          # handed over by the security admin
    page.goto(site.url + "/admin/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    if page.url.endswith("/admin/login/totp/setup"):
        # A reviewer's first login: the enrolment code, and the key typed into an authenticator app,
        # which shows the code; then the recovery codes, shown once.
        secret = page.locator("#totp-secret").inner_text()
        page.get_by_label("绑定码").fill(enrol)
        page.get_by_label("动态验证码（6 位数字）").fill(totp_code(secret, username))
        page.get_by_role("button", name="启用并登录").click()
        expect(page.locator("main")).to_contain_text("只显示这一次")
        page.get_by_role("link", name="我已保存，继续").click()
    elif page.url.endswith("/admin/login/totp"):
        # Enrolled at an earlier login (the served site lives for the whole session): the code the
        # authenticator app shows now, from the key the account keeps.
        from core.accounts import user_by_username
        with site.app.app_context():
            secret = user_by_username(username).totp_secret
        page.get_by_label("动态验证码（6 位数字）或恢复码").fill(totp_code(secret, username))
        page.get_by_role("button", name="验证并登录").click()
    assert "/admin/login" not in page.url


@pytest.mark.postgres_journey  # PostgreSQL's full-text search, seen through a real browser
@pytest.mark.needs_plugins("catalog")
def test_an_editor_publishes_a_record_and_finds_it_through_site_search(site, browser):
    """The town's editor writes and submits; its reviewer (four eyes) publishes; the public finds it."""
    editor = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    login(editor, site, "li")
    editor.goto(site.url + "/admin/baishui/catalog/records/new")
    options = editor.locator("select[name=item_id] option").all_inner_texts()
    editor.get_by_label("公开事项").select_option(label=next(o for o in options if "法律援助" in o))
    editor.get_by_label("标题", exact=True).fill("白水镇鲟鱼增殖放流实施方案")
    editor.get_by_label("文号").fill("白政办发〔2026〕41号")
    editor.get_by_role("textbox", name="正文").click()
    editor.keyboard.insert_text("为保护鲟鱼资源，在白水河开展增殖放流。")
    editor.get_by_role("button", name="保存并提交审核").click()
    expect(editor.locator("main")).to_contain_text("并提交审核")
    record_url = editor.url
    editor.context.close()

    reviewer = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    login(reviewer, site, "zhao")
    reviewer.goto(record_url)
    reviewer.get_by_label("已完成保密审查，确认可以公开").check()
    reviewer.get_by_role("button", name="审核通过并发布").click()
    expect(reviewer.locator("main")).to_contain_text("已发布，索引号")
    reviewer.context.close()

    # The public, on a phone, searches from the header box of the county's home page.
    public = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    public.goto(site.url + "/qinglan/")
    public.get_by_role("searchbox", name="搜索青岚县").fill("鲟鱼")
    public.keyboard.press("Enter")
    public.get_by_role("link", name="白水镇鲟鱼增殖放流实施方案").click()
    assert public.get_by_role("heading", name="白水镇鲟鱼增殖放流实施方案").is_visible()
    # by its 文号 with other brackets, from the town; not from another town
    public.goto(site.url + "/qinglan/baishui/search?q=" + "白政办发[2026]41号")
    assert public.get_by_role("link", name="白水镇鲟鱼增殖放流实施方案").is_visible()
    public.goto(site.url + "/qinglan/liuhe/search?q=鲟鱼")
    expect(public.locator("main")).to_contain_text("共找到 0 条")
    public.context.close()


@pytest.mark.needs_plugins("catalog", "opinions", "open_day", "gazette")
@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_screenshots_of_the_main_pages(site, page, width, tmp_path):
    """What people see, at both widths: written to the test's own folder, and to docs/screenshots/
    for the README only when asked (UPDATE_SCREENSHOTS=1): a test run never changes the checkout."""
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    shots = {"home": "/qinglan/", "search": site.paths["search"], "record": site.paths["record"],
             "consultation": site.paths["consultation"], "open_day": site.paths["open_day"],
             "gazette_article": site.paths["gazette_article"]}
    for name, path in shots.items():
        assert page.goto(site.url + path).status == 200
        target = folder / f"{name}-{width}.png"
        page.screenshot(path=str(target), full_page=False)
        assert target.stat().st_size > 5000
    page.goto(site.url + "/display/elder?next=/qinglan/baishui/")
    page.screenshot(path=str(folder / f"elder-{width}.png"))
