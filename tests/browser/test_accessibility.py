"""WCAG 2.1 A/AA on every public page type, by axe-core in headless chromium, at phone width (200%
zoom on a 720 px window) and in the elderly mode; keyboard use; 200% zoom without horizontal
scrolling in both display modes."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import available_pages

PAGE_TYPES = available_pages(["home", "catalog", "record", "consultation", "feedback", "open_day", "gazette_issue",
                              "gazette_article", "search", "apply", "application_status", "disclosure",
                              "annual_report", "policy_library", "decisions", "decision_item"])
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}
axe = Axe()


def violations(page) -> list[str]:
    result = axe.run(page, options=WCAG)
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result.response["violations"]]


OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter(el => { const r = el.getBoundingClientRect();
                      return r.width > 0 && r.right > width + 1 && !el.closest('.table-scroll, pre'); })
      .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')).slice(0, 5);
}"""


def fits(page) -> list[str]:
    """What sticks out sideways (a wide table may scroll inside its own box); [] when nothing does."""
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    return page.evaluate(OVERFLOW)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_wcag_violation_and_usable_at_200_percent_zoom(site, browser, kind):
    """WCAG 2.1 A/AA by axe, on the page laid out at 360 CSS px by 200% zoom on a 720 px window, and
    nothing there needs sideways scrolling. Once per page type, at this width only: the pages' CSS
    changes the layout with the width, never the colours, names or structure axe checks (the
    journeys' screenshots show the desktop layout)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="zh-CN",
                                  bypass_csp=True)
    page = context.new_page()
    response = page.goto(site.url + site.paths[kind])
    assert response.status == 200
    assert fits(page) == []
    assert violations(page) == []
    context.close()


@pytest.mark.parametrize("kind", available_pages(["home", "consultation", "open_day", "gazette_article", "search"]))
def test_no_wcag_violation_in_the_elderly_mode(site, page, kind):
    page.goto(site.url + site.paths["home"])
    page.get_by_role("link", name="长者模式").click()
    page.wait_for_load_state()
    page.goto(site.url + site.paths[kind])
    assert page.evaluate("document.documentElement.className") == "elder"
    assert violations(page) == []


@pytest.mark.needs_plugins("catalog", "gazette")
def test_the_elderly_mode_enlarges_text_persists_and_switches_back(site, page):
    page.goto(site.url + site.paths["record"])
    standard = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("link", name="长者模式").click()
    page.wait_for_load_state()                                        # the stylesheet applied
    assert page.url == site.url + site.paths["record"]               # back on the same page
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= standard * 1.25
    # persistent: another page, later, is still large; no pop-up was opened
    page.goto(site.url + site.paths["gazette_article"])
    assert page.evaluate("document.documentElement.className") == "elder"
    assert page.dialogs == [] and len(page.context.pages) == 1
    page.get_by_role("link", name="标准版").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.className") == ""


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_usable_at_200_percent_zoom_and_360_px_in_the_elderly_mode(site, browser, kind):
    """The elderly mode's larger text at 200% zoom on a 720 px window (360 CSS px): nothing may need
    sideways scrolling (the standard mode is checked with axe above)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    page.goto(site.url + "/display/elder?next=/")
    page.goto(site.url + site.paths[kind])
    assert page.evaluate("document.documentElement.className") == "elder"
    assert fits(page) == []
    context.close()


@pytest.mark.needs_plugins("opinions")
def test_skip_link_and_visible_focus(site, page):
    page.goto(site.url + site.paths["consultation"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    style = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                          "return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert style[0] != "none" and style[1] >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_checker_sees_violations_when_there_are_some(page):
    """The control: the same axe run reports an image without text, an empty link and low contrast."""
    page.set_content('<html><head><title>t</title></head><body><main><img src="x.png"><a href="/"></a>'
                     '<p style="color:#bbb;background:#fff">低对比度文字</p></main></body></html>')
    found = {v.split(" ")[0] for v in violations(page)}
    assert {"image-alt", "link-name", "color-contrast", "html-has-lang"} <= found


@pytest.mark.needs_plugins("catalog")
def test_a_record_on_a_phone_shows_its_title_first_and_the_index_block_after(site, browser):
    """Issue 18, point 9: at 390 px the nine-row 信息索引 table came before the title. The title is
    first in the page (and read first); from tablet width up the index block is shown above it."""
    for width, title_first in ((390, True), (1280, False)):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(site.url + site.paths["record"])
        title = page.locator("article.record h1").bounding_box()["y"]
        index = page.locator("article.record .metadata-block").bounding_box()["y"]
        assert (title < index) == title_first, width
        context.close()
