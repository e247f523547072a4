"""The clerk's day in a real browser, with the site's Content-Security-Policy in force (issue 18):
she writes a record with a heading, a list and a table without typing a tag, pastes from Word,
imports a .docx, submits, withdraws, resubmits; the reviewer sends it back with a reason, then
approves. Chinese text goes in the way an input method commits it (insert_text: no key events)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import login
from tests.docx_files import official_notice

pytestmark = pytest.mark.needs_plugins("catalog")

# What Word (and WPS, which writes the same) puts on the clipboard for a heading, a bulleted and a
# numbered list, and a styled paragraph.
WORD_CLIPBOARD = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal{font-family:宋体}</style></head>
<body lang=ZH-CN>
<h1 style='mso-margin-top-alt:auto'><span style='font-family:黑体;font-size:22.0pt'>二、保障措施</span></h1>
<p class=MsoListParagraphCxSpFirst style='mso-list:l0 level1 lfo1'><span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt'>&nbsp;&nbsp;</span></span><span style='color:red'>落实经费</span><o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='mso-list:l0 level1 lfo1'><span style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt'>&nbsp;</span></span>加强督查<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='mso-list:l1 level1 lfo2'><span style='mso-list:Ignore'>1.<span style='font:7.0pt'>&nbsp;</span></span>每月检查<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='mso-list:l1 level1 lfo2'><span style='mso-list:Ignore'>2.<span style='font:7.0pt'>&nbsp;</span></span>年底考核<o:p></o:p></p>
<p class=MsoNormal><b><span style='font-size:16.0pt;font-family:仿宋_GB2312;color:#333'>以上请遵照执行。</span></b><o:p></o:p></p>
</body></html>"""


def csp_watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def editor_of(page):
    return page.get_by_role("textbox", name="正文")


def tool(page, name: str) -> None:
    """A toolbar button, then back in the text as the editor puts the caret (on the next frame)."""
    expect(page.locator(".rte[data-ready='1']")).to_have_count(1)
    page.get_by_role("button", name=name).click()
    expect(page.locator(".rte-content")).to_be_focused()


def to_end(page) -> None:
    """The caret at the end of the body (once the deferred editor script has mounted it; Tiptap
    focuses the view on the next animation frame)."""
    expect(page.locator(".rte[data-ready='1']")).to_have_count(1)
    page.evaluate("document.querySelector('textarea[name=body]').editor.commands.focus('end')")
    expect(page.locator(".rte-content")).to_be_focused()


def test_the_clerk_writes_imports_submits_withdraws_and_the_reviewer_returns_then_approves(site, browser, tmp_path):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")      # CSP enforced (no bypass)
    clerk = context.new_page()
    errors = csp_watch(clerk)
    login(clerk, site, "li")
    clerk.goto(site.url + "/admin/baishui/catalog/records/new")
    options = clerk.locator("select[name=item_id] option").all_inner_texts()
    clerk.get_by_label("公开事项").select_option(label=next(o for o in options if "法律援助" in o))
    clerk.get_by_label("标题", exact=True).fill("白水镇法律援助工作安排")
    expect(clerk.locator("textarea[name=body]")).to_be_hidden()     # the editor took its place

    body = editor_of(clerk)
    body.click()
    tool(clerk, "二级标题")
    clerk.keyboard.insert_text("一、工作安排")
    clerk.keyboard.press("Enter")
    clerk.keyboard.insert_text("本镇法律援助工作站每周一至周五开放。")
    clerk.keyboard.press("Enter")
    tool(clerk, "项目符号列表")
    clerk.keyboard.insert_text("咨询接待")
    clerk.keyboard.press("Enter")
    clerk.keyboard.insert_text("案件受理")
    clerk.keyboard.press("Enter")
    clerk.keyboard.press("Enter")                                    # out of the list
    tool(clerk, "插入三行三列的表格（首行为表头）")
    clerk.keyboard.insert_text("时间")
    clerk.keyboard.press("Tab")
    clerk.keyboard.insert_text("地点")
    assert clerk.get_by_role("button", name="在下方插入一行").is_enabled()
    # paste from Word: structure kept, styles gone (at the end: the editor's own command, since a
    # synthetic paste event may come before the editor has read a key's new selection)
    to_end(clerk)
    clerk.evaluate("""html => {
        const dt = new DataTransfer(); dt.setData('text/html', html); dt.setData('text/plain', 'x');
        document.querySelector('.rte-content').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
    }""", WORD_CLIPBOARD)
    html = clerk.locator("textarea[name=body]").input_value()
    assert errors == []
    assert "<h2>一、工作安排</h2>" in html and "<li><p>咨询接待</p></li><li><p>案件受理</p></li>" in html
    assert "<th" in html and "时间" in html and "地点" in html
    assert "<ul><li><p>落实经费</p></li><li><p>加强督查</p></li></ul>" in html
    assert "<ol><li><p>每月检查</p></li><li><p>年底考核</p></li></ol>" in html
    assert "以上请遵照执行。" in html
    for trace in ("style", "font", "Mso", "mso-", "o:p", "·", "宋体"):
        assert trace not in html, trace

    clerk.get_by_role("button", name="保存并提交审核").click()
    expect(clerk.locator("main")).to_contain_text("并提交审核")
    record_url = clerk.url
    expect(clerk.locator("main")).to_contain_text("正在等待审核人员审核")
    stored = clerk.locator("main .body")
    expect(stored.locator("h2")).to_have_text("一、工作安排")
    expect(stored.locator("table th").first).to_have_text("时间")
    assert stored.locator("li").count() == 6

    clerk.get_by_role("button", name="撤回（改为草稿）").click()
    expect(clerk.locator("main")).to_contain_text("已撤回")
    # import the department's .docx: the body is replaced, the 文号 offered (the title was typed)
    docx = tmp_path / "森林防火通知.docx"
    docx.write_bytes(official_notice())
    clerk.get_by_label("Word 文档（.docx）").set_input_files(str(docx))
    clerk.get_by_role("button", name="导入 Word 文档").click()
    expect(clerk.locator("main")).to_contain_text("已导入“森林防火通知.docx”的正文，并填入了文号")
    expect(editor_of(clerk).locator("h2")).to_have_text("一、工作重点")
    expect(editor_of(clerk).locator("table")).to_have_count(1)
    assert clerk.get_by_label("文号").input_value() == "白政发〔2026〕15号"
    clerk.get_by_role("button", name="保存", exact=True).click()
    expect(clerk.locator("main")).to_contain_text("已保存")
    clerk.get_by_role("button", name="提交审核", exact=True).click()
    expect(clerk.locator("main")).to_contain_text("已提交审核")
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == [], errors
    context.close()

    reviewer = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    login(reviewer, site, "zhao")
    reviewer.goto(site.url + "/admin/baishui/catalog/review")
    reviewer.get_by_role("link", name="白水镇法律援助工作安排").click()
    reviewer.get_by_label("退回原因（编辑将看到）").fill("请补充工作站地址和电话。")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.locator("main")).to_contain_text("已退回编辑修改")

    clerk = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    login(clerk, site, "li")
    clerk.goto(site.url + "/admin/baishui/")
    expect(clerk.locator("main")).to_contain_text("请补充工作站地址和电话。")
    clerk.get_by_role("link", name="白水镇法律援助工作安排").first.click()
    expect(clerk.locator(".notice.error")).to_contain_text("请补充工作站地址和电话。")
    to_end(clerk)
    clerk.keyboard.insert_text("地址：白水镇人民路8号，电话：0771-1234567。")
    clerk.get_by_role("button", name="保存", exact=True).click()
    clerk.get_by_role("button", name="提交审核", exact=True).click()
    expect(clerk.locator("main")).to_contain_text("已提交审核")
    clerk.context.close()

    reviewer.goto(record_url)
    expect(reviewer.locator("main .body")).to_contain_text("地址：白水镇人民路8号")
    reviewer.get_by_label("已完成保密审查，确认可以公开").check()
    reviewer.get_by_role("button", name="审核通过并发布").click()
    expect(reviewer.locator("main")).to_contain_text("已发布，索引号")
    reviewer.context.close()


def test_without_javascript_the_field_is_the_textarea_it_was(site, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    login(page, site, "li")
    page.goto(site.url + "/admin/baishui/catalog/records/new")
    assert page.locator("textarea[name=body]").is_visible()
    assert page.locator(".rte").count() == 0
    context.close()


def test_keyboard_reaches_the_toolbar_as_one_stop_and_moves_with_arrows(site, browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    login(page, site, "li")
    page.goto(site.url + "/admin/baishui/catalog/records/new")
    expect(page.locator(".rte[data-ready='1']")).to_have_count(1)
    page.get_by_label("摘要").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "正文段落"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "二级标题"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "textbox"
    context.close()


def test_enter_in_a_field_saves_and_never_sets_off_the_word_import(site, browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    login(page, site, "li")
    page.goto(site.url + "/admin/baishui/catalog/records/new")
    page.get_by_label("标题", exact=True).fill("按回车保存的草稿")
    page.get_by_label("标题", exact=True).press("Enter")
    expect(page.locator("main")).to_contain_text("已保存“按回车保存的草稿”为草稿")
    context.close()


def test_an_untouched_body_is_saved_exactly_as_it_was(site, browser):
    """A body with what the editor does not show (an old record's <dl>, a cell's scope) is sent
    back unchanged when only the title is corrected: the editor rewrites the field only once its
    text is changed."""
    from core.accounts import SYSTEM
    from core.tenants import tenant_by_slug, tenant_scope
    from plugins.catalog import services
    from plugins.catalog.models import Record
    from tests.catalog.fixtures import leaf
    body = '<dl><dt>联系人</dt><dd>王科长</dd></dl><table><tr><th scope="col">项目</th></tr></table>'
    from core.db import immediate_writes
    with site.app.app_context(), immediate_writes():      # beside the served site: its write lock first
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            record = services.create_record(SYSTEM, town, {"item_id": leaf(town, "法律援助").id, "title": "旧信息",
                                                           "body": body})
            from core.db import db
            db.session.commit()
            record_id = record.id
            stored = record.body
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    login(page, site, "li")
    page.goto(site.url + f"/admin/baishui/catalog/records/{record_id}")
    page.get_by_label("标题", exact=True).fill("旧信息（更正标题）")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("main")).to_contain_text("已保存")
    context.close()
    with site.app.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            from core.db import db
            assert db.session.get(Record, record_id).body == stored and "<dl>" in stored
