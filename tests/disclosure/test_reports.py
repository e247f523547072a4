"""The 政府信息公开工作年度报告 (国办公开办函〔2021〕30号): its tables, the rules that must hold (the
check of section 三, the frozen published version and its correction, drafts unseen), the outputs,
the due dates on the supervision page and the district's view of its towns."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.accounts import create_user, grant_role, SYSTEM, user_by_username
from core.db import db
from core.errors import AccessDenied, Conflict, DomainError
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.disclosure import oversight, services, tables
from plugins.disclosure.models import AnnualReport
from tests.conftest import Auth
from tests.disclosure.fixtures import ENTERED, make_report


def _report(report_id: int) -> AnnualReport:
    with across_tenants(None, reason="test"):
        return db.session.get(AnnualReport, report_id)


def _unbalance(report: AnnualReport) -> None:
    """Section 三 as a plugin would snapshot it with an application answered before it was received:
    new 1, nothing answered, nothing carried over."""
    snapshot = dict(report.applications)
    rows = []
    for key, label, level, counts in snapshot["rows"]:
        counts = dict(counts)
        if key == "new":
            counts["citizen"] = counts.get("citizen", 0) + 1
            counts["total"] = counts.get("total", 0) + 1
        rows.append([key, label, level, counts])
    report.applications = snapshot | {"rows": rows}


def test_a_generated_report_has_the_six_sections_and_the_three_tables(demo, ctx):
    report = _report(make_report("baishui", 2025, **ENTERED))
    assert report.status == "draft" and report.version == 1
    assert [r[0] for r in report.applications["rows"]][:3] == ["new", "carried_in", "results"]
    assert [r[1] for r in report.applications["rows"]][-2:] == ["（七）总计", "四、结转下年度继续办理"]
    assert set(report.appeals) == {"reconsideration", "direct", "after_reconsideration"}
    assert report.fees_yuan == 12345 and services.wan(report.fees_yuan) == "1.2345"
    assert report.proactive["licensing"] == 46 and report.proactive["coercion"] == 1
    assert "2025年" in report.overview and "依申请公开" in report.overview
    headers, rows = tables.section_four_table(tables.appeals_total(report))
    assert headers == ["类别", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert [r[0] for r in rows] == ["行政复议", "行政诉讼·未经复议直接起诉", "行政诉讼·复议后起诉"]


def test_figures_are_non_negative_integers_and_the_fee_has_at_most_four_decimals(demo, ctx):
    report = _report(make_report("baishui", 2025))
    for data, field in (({"licensing": "-1"}, "licensing"), ({"penalty": "3.5"}, "penalty"),
                        ({"rules_issued": "很多"}, "rules_issued"), ({"fees_wan": "1.23456"}, "fees_wan"),
                        ({"fees_wan": "-2"}, "fees_wan"), ({"extra_direct_pending": "x"}, "extra_direct_pending")):
        with pytest.raises(DomainError) as refused:
            services.update(SYSTEM, report, data)
        assert refused.value.field == field
    services.update(SYSTEM, report, {"fees_wan": "85.326", "extra_direct_pending": "2"})
    assert report.fees_yuan == 853260
    assert tables.appeals_total(report)["direct"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 2, "total": 2}


def test_a_report_whose_section_three_does_not_balance_cannot_be_published(demo, ctx):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        report = _report(make_report("baishui", 2025))
        _unbalance(report)
        balanced, text = services.check(report)
        assert not balanced and "≠" in text
        with pytest.raises(DomainError, match="第一项加第二项之和等于第三项加第四项之和"):
            services.review(SYSTEM, report)
        report.status = "reviewed"          # reviewed before the figures changed: still refused
        with pytest.raises(DomainError, match="不能发布"):
            services.publish(SYSTEM, report)
        db.session.rollback()
        assert _report(report.id).status == "draft"


def test_a_published_report_is_frozen_and_corrected_by_a_new_version_both_kept(demo, ctx, client):
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        first = _report(make_report("baishui", 2025, publish=True, **ENTERED))
        assert first.status == "published" and first.published_on is not None
        for act in (lambda: services.update(SYSTEM, first, {"overview": "改"}), lambda: services.refresh(SYSTEM, first)):
            with pytest.raises(Conflict, match="已发布的年度报告不能修改"):
                act()
        with pytest.raises(DomainError, match="更正说明"):
            services.correct(SYSTEM, first, "  ")
        second = services.correct(SYSTEM, first, "第二部分行政许可数量录入有误，由 46 件更正为 64 件。")
        assert (second.version, second.status, second.supersedes_id) == (2, "draft", first.id)
        with pytest.raises(Conflict, match="已有第 2 版"):
            services.correct(SYSTEM, first, "再次更正")
        services.update(SYSTEM, second, {"licensing": "64"})
        db.session.commit()
        first_id, second_id = first.id, second.id
        assert client.get(f"/qinglan/baishui/disclosure/reports/{second_id}").status_code == 404   # a draft
        services.review(SYSTEM, second)
        services.publish(SYSTEM, second)
        db.session.commit()
        assert _report(first_id).status == "superseded" and _report(first_id).proactive["licensing"] == 46
    old = client.get(f"/qinglan/baishui/disclosure/reports/{first_id}").get_data(as_text=True)
    assert "本版本已被更正" in old and ">46<" in old
    new = client.get(f"/qinglan/baishui/disclosure/reports/{second_id}").get_data(as_text=True)
    assert "更正说明：第二部分行政许可数量录入有误" in new and ">64<" in new and "第 1 版" in new
    listing = client.get("/qinglan/baishui/disclosure/reports/").get_data(as_text=True)
    assert listing.count("2025年政府信息公开工作年度报告") == 1 and "第 2 版" in listing


def test_the_public_sees_only_published_reports(demo, ctx, client):
    draft_id = make_report("baishui", 2026, overview="草稿中的总体情况")
    published_id = make_report("baishui", 2025, publish=True)
    assert client.get(f"/qinglan/baishui/disclosure/reports/{draft_id}").status_code == 404
    assert client.get(f"/qinglan/baishui/disclosure/reports/{draft_id}.pdf").status_code == 404
    assert client.get(f"/qinglan/baishui/disclosure/reports/{draft_id}.xlsx").status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/disclosure/reports/{draft_id}").status_code == 404
    listing = client.get("/qinglan/baishui/disclosure/reports/").get_data(as_text=True)
    assert "2025年政府信息公开工作年度报告" in listing and "2026年" not in listing
    assert [r["year"] for r in client.get("/api/v1/tenants/baishui/disclosure/reports").get_json()] == [2025]
    body = client.get(f"/api/v1/tenants/baishui/disclosure/reports/{published_id}").get_json()
    assert body["applications_balanced"] is True and body["applications"][0]["key"] == "new"
    # another tenant's published report is not found under this one
    assert client.get(f"/qinglan/liuhe/disclosure/reports/{published_id}").status_code == 404


def test_another_tenants_editor_cannot_see_or_edit_a_draft(demo, ctx, client):
    draft_id = make_report("baishui", 2026, overview="白水镇的草稿")
    attacker = create_user("liuhe-editor", "river-willow-lamp")
    grant_role(SYSTEM, attacker, tenant_by_slug("liuhe"), "editor")
    db.session.commit()
    Auth(client).login("liuhe-editor", "river-willow-lamp")
    assert client.get(f"/admin/baishui/disclosure/{draft_id}").status_code == 404
    assert client.get(f"/admin/liuhe/disclosure/{draft_id}").status_code == 404
    assert client.get("/admin/baishui/disclosure/").status_code == 404
    with pytest.raises(Exception):
        with tenant_scope(tenant_by_slug("baishui")):
            services.update(user_by_username("liuhe-editor"), _report(draft_id), {"overview": "改"})


def test_the_reviewer_is_a_second_person(demo, ctx):
    town = tenant_by_slug("baishui")
    both = create_user("both-roles", "river-willow-lamp")
    grant_role(SYSTEM, both, town, "editor")
    grant_role(SYSTEM, both, town, "reviewer")
    with tenant_scope(town):
        report = services.generate(both, town, 2025)
        assert not services.may_review(both, report)
        with pytest.raises(AccessDenied, match="另一位审核人员"):
            services.review(both, report)
        with pytest.raises(Conflict, match="须先经另一位审核人员审核"):
            services.publish(user_by_username("zhao"), report)
        services.review(user_by_username("zhao"), report)
        with pytest.raises(Conflict, match="已审核的年度报告不能修改"):
            services.update(both, report, {"overview": "改"})
        services.reopen(both, report)
        assert report.status == "draft"


def test_the_pdf_has_extractable_chinese_and_the_xlsx_the_tables(demo, ctx, client):
    from pypdf import PdfReader
    report_id = make_report("baishui", 2025, publish=True, **ENTERED)
    pdf = client.get(f"/qinglan/baishui/disclosure/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("白水镇2025年政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况", "行政规范性文件",
                  "本年收费金额", "1.2345", "三、收到和处理政府信息公开申请情况", "（七）总计", "四、政府信息公开行政复议",
                  "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert words.replace(" ", "") in text.replace(" ", "").replace("\n", ""), words
    # section 三's header row is repeated on every page its table crosses
    pages = [p.extract_text().replace("\n", "") for p in reader.pages]
    crossing = [p for p in pages if "结转下年度继续办理" in p or "予以公开" in p]
    assert crossing and all("勾稽关系" in p for p in crossing)
    xlsx = client.get(f"/qinglan/baishui/disclosure/reports/{report_id}.xlsx")
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert wb.sheetnames == ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、行政复议、行政诉讼情况"]
    values = [c for row in wb["二、主动公开政府信息情况"].iter_rows(values_only=True) for c in row if c is not None]
    assert "行政许可" in values and 46 in values and "1.2345" in values
    three = list(wb["三、收到和处理政府信息公开申请情况"].iter_rows(values_only=True))
    assert three[0][1] == "自然人" and three[1][0] == "一、本年新收政府信息公开申请数量"


def test_due_and_overdue_reports_on_the_supervision_page(demo, ctx):
    county, town, other = tenant_by_slug("qinglan"), tenant_by_slug("baishui"), tenant_by_slug("liuhe")
    make_report("liuhe", 2025, publish=True)
    units = [county, town, other]
    due = {n.tenant_id: n for n in oversight.notices(units, date(2026, 1, 20))}
    assert due[town.id].severity == "fair" and "2026-01-31" in due[town.id].title and other.id not in due
    assert county.id not in due                                    # the county's is due on 31 March
    late = {n.tenant_id: n for n in oversight.notices(units, date(2026, 2, 1))}
    assert late[town.id].severity == "poor" and "逾期未发布" in late[town.id].title
    assert county.id not in late and other.id not in late
    assert {n.tenant_id: n.severity for n in oversight.notices(units, date(2026, 3, 15))}[county.id] == "fair"
    assert {n.tenant_id: n.severity for n in oversight.notices(units, date(2026, 4, 1))}[county.id] == "poor"
    assert services.due_on(county, 2025) == date(2026, 3, 31) and services.due_on(town, 2025) == date(2026, 1, 31)


def test_the_district_sees_who_published_who_is_late_and_the_county_totals(demo, ctx, client):
    make_report("baishui", 2025, publish=True, **ENTERED)
    make_report("qinglan", 2025, publish=True, licensing="1000", fees_wan="2")
    make_report("liuhe", 2025)                                              # a draft: late (today is past 31 January)
    Auth(client).login("wang")
    page = client.get("/admin/qinglan/disclosure/overview?year=2025").get_data(as_text=True)
    assert page.count("已发布") >= 2 and "逾期未发布" in page and "未生成" in page      # 城关街道 has none
    assert "已发布的 2 份年度报告" in page and ">1046<" in page and "3.2345" in page
    xlsx = client.get("/admin/qinglan/disclosure/overview.xlsx?year=2025")
    wb = load_workbook(io.BytesIO(xlsx.data))
    rows = list(wb["各单位发布情况"].iter_rows(values_only=True))
    assert ("柳河镇", "2026-01-31", "草稿", None, "逾期未发布") in rows
    assert client.get("/admin/baishui/disclosure/overview").status_code == 404                  # towns have none


def test_published_reports_are_found_by_site_search_and_drafts_are_not(demo, ctx, client):
    make_report("baishui", 2026, overview="鲥鱼保护草稿")
    make_report("baishui", 2025, publish=True, overview="全年主动公开鲥鱼保护信息")
    found = client.get("/qinglan/baishui/search?q=鲥鱼保护").get_data(as_text=True)
    assert "白水镇2025年政府信息公开工作年度报告" in found and "2026年政府信息公开工作年度报告" not in found


def test_no_cell_of_the_spreadsheets_starts_a_formula(demo, ctx, client):
    """Unit names (typed by the district's admin) reach both spreadsheets; every cell goes through
    export_cell (tests/core/test_exports.py)."""
    from tests.core.test_exports import assert_inert, cells_of_xlsx, FORMULAS
    report_id = make_report("baishui", 2025, publish=True)
    make_report("liuhe", 2025, publish=True)
    for slug, payload in (("baishui", FORMULAS[0]), ("liuhe", FORMULAS[1])):
        tenant_by_slug(slug).name = payload
    db.session.commit()
    Auth(client).login("wang")
    overview = client.get("/admin/qinglan/disclosure/overview.xlsx?year=2025")
    assert overview.status_code == 200
    assert_inert(cells_of_xlsx(overview.data), payloads=FORMULAS[:2])
    report = client.get(f"/qinglan/baishui/disclosure/reports/{report_id}.xlsx")
    assert report.status_code == 200
    assert_inert(cells_of_xlsx(report.data), payloads=[])
