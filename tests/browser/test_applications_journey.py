"""依申请公开 in a real browser (issue 19, "Done when"), with the site's CSP in force: a person applies
on a phone and gets a 查询码; the town's office handles it to a 部分公开 letter approved by a second
person (through the services, as the pages do: their journey is in tests/applications/test_letters.py);
the applicant reads the stage and downloads the letter by code; the district sees its towns' open
applications with the days left."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_journeys import login

pytestmark = pytest.mark.needs_plugins("applications")


def test_a_person_applies_on_a_phone_and_reads_the_answer_by_code(site, browser):
    person = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    person.goto(site.url + "/qinglan/baishui/applications/")
    person.get_by_label("姓名", exact=True).fill("王五")
    person.get_by_label("证件号码").fill("110101199001011234")
    person.get_by_label("联系电话").fill("13700002468")
    person.get_by_label("通信地址").fill("青岚县白水镇人民路 9 号")
    person.get_by_label("邮政编码").fill("530000")
    person.get_by_label("所需政府信息的内容描述").fill("2026年白水镇农村饮水安全工程的验收报告")
    person.get_by_label("我已阅读并同意上述个人信息处理说明").check()
    person.get_by_role("button", name="提交申请").click()
    expect(person.locator("main")).to_contain_text("查询码")
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", person.locator("main").inner_text()).group(0)

    # The office: receipt, a correction, one extension, 部分公开, the letter signed by a second person, delivered
    from core.accounts import user_by_username
    from core.clock import china_today
    from core.db import db, immediate_writes
    from core.tenants import tenant_by_slug, tenant_scope
    from core.workdays import Calendar
    from plugins.applications import letters, services
    today = china_today()
    with site.app.app_context(), immediate_writes():       # beside the served site: its write lock first
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            li, zhao = user_by_username("li"), user_by_username("zhao")
            application = services.find(code)
            services.confirm_receipt(li, application, today)
            services.ask_correction(li, application, "请写明需要的是哪个村的验收报告", Calendar().add_workdays(today, 10))
            services.receive_correction(li, application, today)
            services.extend(li, application, 10, "需要向水利站调取档案", "王镇长")
            services.set_answer(li, application, {"answer": "partial", "answer_reason": "third_party_rights",
                                                  "answer_basis": "《中华人民共和国政府信息公开条例》第十五条",
                                                  "answer_explanation": "施工单位的银行账户信息不予公开"})
            letter = letters.draft(li, application)
            letters.submit(li, letter)
            letters.approve(zhao, letter)
            services.record_delivery(li, application, "post", today)
            db.session.commit()

    person.goto(site.url + "/qinglan/baishui/applications/status")
    person.get_by_label("查询码").fill(code.lower().replace("-", " "))       # typed any way
    person.get_by_label("联系电话的后四位").fill("2468")
    person.get_by_role("button", name="查询").click()
    main = person.locator("main")
    expect(main).to_contain_text("已送达")
    expect(main).to_contain_text("王*")
    assert "13700002468" not in main.inner_text() and "110101" not in main.inner_text()
    with person.expect_download() as download:
        person.get_by_role("link", name=re.compile("下载答复告知书")).click()
    assert download.value.suggested_filename.endswith(".pdf")
    person.context.close()

    # The district sees its towns' open applications with the days left
    district = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    login(district, site, "wang")
    district.goto(site.url + "/admin/qinglan/applications/")
    expect(district.locator("main")).to_contain_text("白水镇")
    assert re.search(r"剩余|逾期|个工作日", district.locator("main").inner_text())
    district.context.close()


def test_the_office_handles_an_application_through_its_pages(site, browser):
    """The town's editor, on the application's page: receipt, 补正, one extension, 部分公开 with its
    reason and basis, the letter drafted and submitted; the reviewer, on a phone, signs it (a 文号
    and a PDF); the editor records its delivery."""
    from core.clock import china_today
    from core.db import db, immediate_writes
    from core.tenants import tenant_by_slug, tenant_scope
    from core.workdays import Calendar
    from plugins.applications import services
    from tests.applications.fixtures import CITIZEN
    today = china_today()
    with site.app.app_context(), immediate_writes():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            application = services.submit_online(town, {**CITIZEN, "consent": True,
                                                        "description": "白水镇2026年防汛物资采购清单"})
            db.session.commit()
            page_url = f"{site.url}/admin/baishui/applications/{application.id}"
    office = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    login(office, site, "li")
    office.goto(page_url)
    office.get_by_label("收到申请的日期").fill(today.isoformat())
    office.get_by_role("button", name="确认收到").click()
    expect(office.locator("main")).to_contain_text("答复期限")
    office.get_by_label("需要补正的事项").fill("请写明需要哪一批次的采购清单")
    with site.app.app_context():
        deadline = Calendar().add_workdays(today, 10)
    office.get_by_label("补正期限").fill(deadline.isoformat())
    office.get_by_role("button", name="要求补正").click()
    expect(office.locator("main")).to_contain_text("待申请人补正")
    office.get_by_label("收到补正的日期").fill(today.isoformat())
    office.get_by_role("button", name="登记收到补正").click()
    office.get_by_label("延长的工作日数").fill("10")
    office.get_by_label("延长的理由").fill("需要向财政所调取单据")
    office.get_by_label("同意延长的负责人").fill("王镇长")
    office.get_by_role("button", name="延长", exact=True).click()
    expect(office.locator("main")).to_contain_text("延长")
    office.get_by_label("答复类型").select_option("partial")
    office.get_by_label("具体理由").select_option("withhold:third_party_rights")
    office.get_by_label("法律依据").fill("《中华人民共和国政府信息公开条例》第十五条")
    office.get_by_label("不予公开的内容和理由说明").fill("供应商的银行账户信息不予公开")
    office.get_by_role("button", name="保存答复决定").click()
    office.get_by_role("button", name="按答复类型起草答复告知书").click()
    office.get_by_role("button", name="保存并提交审核").click()
    expect(office.locator("main")).to_contain_text("已提交审核")
    office.context.close()

    reviewer = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    login(reviewer, site, "zhao")
    reviewer.goto(page_url)
    reviewer.get_by_role("button", name="审核通过并签发（编文号、生成 PDF）").click()
    expect(reviewer.locator("main")).to_contain_text("已审核签发，文号")
    reviewer.context.close()

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()   # the editor posts it
    login(office, site, "li")
    office.goto(page_url)
    office.get_by_label("送达方式").select_option("post")
    office.get_by_label("送达日期").fill(today.isoformat())
    office.get_by_role("button", name="登记送达").click()
    expect(office.locator("main")).to_contain_text("已送达")
    office.context.close()
