"""The 政府信息公开专栏 and the annual report as the public meets them, on a 390 px phone (issue 20):
the column's parts in the national order, the report's tables scrolling inside their own boxes
(the page never scrolls sideways), each table's headers announced, and the PDF downloaded."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.needs_plugins("disclosure", "catalog", "applications", "gazette")

PHONE_390 = {"width": 390, "height": 844}


def test_the_column_lists_its_parts_in_the_national_order(site, page):
    page.set_viewport_size(PHONE_390)
    page.goto(site.url + "/qinglan/")
    page.get_by_role("link", name="政府信息公开", exact=True).first.click()
    page.wait_for_load_state()
    links = page.locator("main .disclosure-column a").all_inner_texts()
    order = ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开", "政府公报"]
    found = [next((i for i, text in enumerate(links) if part in text), None) for part in order]
    assert None not in found, links
    assert found == sorted(found)


def test_a_person_reads_a_town_report_on_a_phone_and_downloads_the_pdf(site, page):
    page.set_viewport_size(PHONE_390)
    page.goto(site.url + site.paths["disclosure"])
    page.get_by_role("link", name="政府信息公开年报").first.click()
    page.wait_for_load_state()
    page.locator("main a", has_text="年度报告").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(site.paths["annual_report"])
    assert page.locator("h1").inner_text().endswith("政府信息公开工作年度报告")
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert page.get_by_role("heading", name=heading).count() == 1, heading
    # The page itself never scrolls sideways; a wide table scrolls inside its focusable box.
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    tables = page.locator("main table")
    assert tables.count() >= 3
    assert page.locator("main th[scope]").count() > 10
    wide = page.evaluate("""() => [...document.querySelectorAll('main .table-scroll')]
        .filter(box => box.scrollWidth > box.clientWidth).map(box => box.tabIndex)""")
    assert wide and all(index == 0 for index in wide)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
