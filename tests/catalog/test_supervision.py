"""Timeliness supervision: each rule at controlled dates, the reports, the page, the CSV."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from core.clock import china_today
from core.workdays import Calendar
from plugins.catalog.models import CatalogItem
from plugins.catalog.supervision import Period, evaluate, evaluate_item
from tests.catalog.fixtures import at

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


@dataclass
class R:
    """The columns supervision reads from a record."""
    id: int
    title: str
    status: str = "published"
    validity: str = "valid"
    validity_date: date | None = None
    written_date: date | None = None
    published_at: datetime | None = None


def item(rule: dict) -> CatalogItem:
    return CatalogItem(name="事项", rule=rule, levels=["乡级"], domain_code="05")


@pytest.fixture
def cal(ctx):
    return Calendar()


def test_after_change_late_publication_is_reported(cal):
    # formed 2026-09-18; the 20th working day after it is 2026-10-22 (National Day in between)
    on_time = R(1, "按时", written_date=date(2026, 9, 18), published_at=at(date(2026, 10, 22)))
    late = R(2, "超时", written_date=date(2026, 9, 18), published_at=at(date(2026, 10, 23)))
    status = evaluate_item(item({"kind": "after_change", "days": 20}), [on_time, late], date(2026, 11, 2), cal)
    assert status.state == "ok" and status.current
    assert [(f.kind, f.title) for f in status.findings] == [("late", "超时")]
    assert "第 21 个工作日" in status.findings[0].text


def test_a_draft_past_its_deadline_is_overdue_and_one_near_it_due_soon(cal):
    draft = R(1, "草稿", status="draft", written_date=date(2026, 10, 8))
    rule = {"kind": "after_change", "days": 20}
    # 20 working days after 10-08, counting the make-up Saturday 10-10: 2026-11-04
    assert evaluate_item(item(rule), [draft], date(2026, 11, 4), cal).state == "due_soon"
    overdue = evaluate_item(item(rule), [draft], date(2026, 11, 5), cal)
    assert overdue.state == "overdue" and overdue.due == date(2026, 11, 4) and not overdue.current


def test_immediate_items_count_three_working_days_over_the_spring_festival(cal):
    rule = {"kind": "immediate", "days": 3}
    event = date(2026, 2, 13)  # Friday before the holiday; 14th is a make-up working day
    ok = R(1, "名单", written_date=event, published_at=at(date(2026, 2, 25)))
    late = R(2, "名单", written_date=event, published_at=at(date(2026, 2, 26)))
    assert evaluate_item(item(rule), [ok], date(2026, 3, 2), cal).findings == []
    assert [f.kind for f in evaluate_item(item(rule), [late], date(2026, 3, 2), cal).findings] == ["late"]


def test_monthly_village_finance_with_nothing_this_month_is_overdue(cal):
    rule = {"kind": "monthly", "due_workdays": 10, "display_workdays": 7}
    october = R(1, "10月财务", written_date=date(2026, 10, 1), published_at=at(date(2026, 10, 12)))
    # 10th working day of November 2026 is the 13th
    assert evaluate_item(item(rule), [october], date(2026, 11, 12), cal).state == "due_soon"
    late = evaluate_item(item(rule), [october], date(2026, 11, 16), cal)
    assert late.state == "overdue" and late.due == date(2026, 11, 13) and "本月尚未公开" in late.detail
    november = R(2, "11月财务", published_at=at(date(2026, 11, 3)))
    assert evaluate_item(item(rule), [october, november], date(2026, 11, 16), cal).state == "ok"


def test_yearly_and_quarterly(cal):
    yearly = {"kind": "yearly", "month": 1, "day": 31}
    assert evaluate_item(item(yearly), [], date(2026, 1, 20), cal).state == "due_soon"
    assert evaluate_item(item(yearly), [], date(2026, 2, 2), cal).state == "overdue"
    last_year = R(1, "2025年基本情况", published_at=at(date(2025, 1, 10)))
    assert evaluate_item(item(yearly), [last_year], date(2026, 2, 2), cal).state == "overdue"
    quarterly = {"kind": "quarterly", "due_workdays": 15}
    q3 = R(1, "三季度", published_at=at(date(2026, 7, 10)))
    assert evaluate_item(item(quarterly), [q3], date(2026, 9, 30), cal).state == "ok"
    assert evaluate_item(item(quarterly), [q3], date(2026, 10, 30), cal).state == "overdue"


def test_a_record_taken_down_before_the_minimum_display_is_reported(cal):
    rule = {"kind": "immediate", "days": 3, "display_workdays": 7}
    short = R(1, "会议决定", written_date=date(2026, 11, 2), published_at=at(date(2026, 11, 3)), validity="expired",
              validity_date=date(2026, 11, 9))
    findings = evaluate_item(item(rule), [short], date(2026, 11, 20), cal).findings
    assert [f.kind for f in findings] == ["short_display"] and "只公开了 4 个工作日" in findings[0].text


def test_a_valid_record_from_long_ago_still_keeps_its_item_current(cal):
    rule = {"kind": "after_change", "days": 20}
    status = evaluate_item(item(rule), [], date(2026, 11, 20), cal, last_valid=date(2025, 3, 1))
    assert status.current and status.state == "ok" and status.last_published == date(2025, 3, 1)


def test_items_without_a_deadline_fall_under_the_20_working_day_statute(cal):
    late = R(1, "晚了", written_date=date(2026, 9, 18), published_at=at(date(2026, 10, 23)))
    status = evaluate_item(item({"kind": "none"}), [late], date(2026, 11, 2), cal)
    assert status.state == "untracked" and [f.kind for f in status.findings] == ["late"]


@pytest.mark.parametrize("text", ["每年4月31日前", "每年13月5日前", "每月0日前", "每月31日前"])
def test_impossible_or_short_month_dates_never_crash(cal, text):
    from plugins.catalog import standard
    rule = standard.parse_time_limit(text)
    for as_of in (date(2026, 2, 27), date(2026, 4, 30), date(2026, 12, 31)):
        assert evaluate_item(item(rule), [], as_of, cal).state in ("ok", "due_soon", "overdue")


def test_periods():
    assert Period.parse("2026-Q4", date(2026, 11, 23)) == Period("quarter", 2026, 4)
    assert Period("quarter", 2026, 4).start == date(2026, 10, 1) and Period("quarter", 2026, 4).end == date(2026, 12, 31)
    assert Period.parse("2026-02", date(2026, 11, 23)).end == date(2026, 2, 28)
    assert Period.parse("nonsense", date(2026, 11, 23)) == Period("month", 2026, 11)
    assert Period("month", 2026, 1).previous() == Period("month", 2025, 12)
    for nonsense in ("0-01", "99999-01", "2026-13", "2026-Q9", "abc"):
        assert Period.parse(nonsense, date(2026, 11, 23)) == Period("month", 2026, 11)


def test_reports_for_the_demo_county_show_real_findings(demo_content, ctx):
    from core.tenants import tenant_by_slug
    today = china_today()
    reports = {r.tenant.slug: r for r in evaluate([tenant_by_slug(s) for s in ("baishui", "dongpo", "liuhecun")])}
    baishui = reports["baishui"]
    assert baishui.applicable == 30
    assert any(f.kind == "late" for s in baishui.items for f in s.findings)          # 招生划片 published late
    assert any(s.state == "overdue" and s.item.name == "法律援助" for s in baishui.items)  # a stale draft
    dongpo = {s.item.name: s for s in reports["dongpo"].items}
    # This month's finance table of the village that is behind is missing: due up to the 10th
    # working day of the month, overdue after it (whatever day of the month the suite runs on).
    finance = dongpo["财务收支和“三资”管理情况"]
    due = Calendar().nth_workday_of(today.replace(day=1), 10)
    assert finance.due == due and finance.state == ("overdue" if today > due else "due_soon")
    later = {s.item.name: s for s in evaluate([tenant_by_slug("dongpo")], as_of=due + timedelta(days=1))[0].items}
    assert later["财务收支和“三资”管理情况"].state == "overdue"
    # The year's basic situation is published on 8 January (last year's until then).
    assert dongpo["村（居）基本情况"].state == ("ok" if today >= date(today.year, 1, 8) else "due_soon")
    assert {s.item.name: s.state for s in reports["liuhecun"].items}["财务收支和“三资”管理情况"] == "ok"
    assert reports["liuhecun"].completeness > reports["dongpo"].completeness


def test_supervision_page_csv_and_who_may_see_them(demo_content, client, auth):
    auth.login("wang")
    page = client.get("/admin/qinglan/catalog/supervision")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ("白水镇", "东坡村", "柳河镇", "南门社区"):
        assert name in html
    assert "<svg" in html and "各单位公开完整率" in html and "近 6 个月完整率趋势" in html
    quarter = f"{china_today().year}-Q{(china_today().month - 1) // 3 + 1}"
    report = client.get(f"/admin/qinglan/catalog/supervision.csv?period={quarter}")
    assert report.mimetype == "text/csv" and report.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["报告期", "单位", "类型"] and len(rows) == 11
    assert {r[1] for r in rows[1:]} >= {"青岚县", "白水镇", "东坡村"} and all(r[0] == f"{quarter[:4]}年第{quarter[-1]}季度" for r in rows[1:])
    detail = client.get("/admin/qinglan/catalog/supervision/dongpo").get_data(as_text=True)
    assert "财务收支和“三资”管理情况" in detail and "逾期" in detail
    auth.logout()
    auth.login("zhao")  # the town's reviewer sees the town and its villages only
    town_page = client.get("/admin/baishui/catalog/supervision").get_data(as_text=True)
    assert "东坡村" in town_page and "柳河镇" not in town_page
    assert client.get("/admin/baishui/catalog/supervision/liuhecun").status_code == 404
    assert client.get("/admin/qinglan/catalog/supervision").status_code == 404
    auth.logout()
    auth.login("li")  # an editor sees her own findings but not the supervision of others
    assert client.get("/admin/baishui/catalog/supervision").status_code == 403
    assert client.get("/admin/baishui/catalog/supervision/baishui").status_code == 200
    assert client.get("/admin/baishui/catalog/supervision/dongpo").status_code == 403


def test_cli_report(demo_content, runner):
    result = runner.invoke(args=["catalog", "report", "baishui", "--period", "2026-11"])
    assert result.exit_code == 0 and "白水镇 2026年11月 政务公开监测" in result.output and "东坡村" in result.output
