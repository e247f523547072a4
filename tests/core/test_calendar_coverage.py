"""The calendar's coverage: which years' holidays the installation knows, entering a year's whole
arrangement (file, command, admin page), the warnings while a year is missing. (The catalog's
provisional deadlines in such a year: tests/catalog/test_provisional_deadlines.py.)

The legal fact behind it: each year's statutory holidays and make-up working days (调休) are fixed
by the State Council's annual notice, 国务院办公厅关于X年部分节假日安排的通知, published in November or
December of the year before. Until a county enters it (or a chinese-calendar release carries it), a
year is counted with weekends only.

NEXT is the first year chinese-calendar does not know: 2027 with 1.11.0, the newest release on
2026-12-07. The tests follow the package when a newer one knows 2027.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.db import db
from core.workdays import (ArrangementError, Calendar, CalendarOverride, CalendarYear, coverage_warnings,
                           parse_arrangement, set_override)
from core.security import deploy_findings
from tests.conftest import Auth, at_china, csrf_from, post_form

NEXT = next(y for y in range(2026, 2100) if not Calendar(overrides={}, entered_years=set()).is_covered(y))
ARRANGEMENT = f"""# 国务院办公厅关于{NEXT}年部分节假日安排的通知
{NEXT}-01-01 休 元旦

{NEXT}-02-06 休 春节
{NEXT}-02-08 假 春节   # 假 is 休 too
{NEXT}-02-07 班 春节调休
{NEXT}-02-20 上班 春节调休
{NEXT}-10-01 holiday 国庆节
{NEXT}-10-09 workday
"""


def entered(year: int) -> CalendarYear | None:
    db.session.expire_all()
    return db.session.get(CalendarYear, year)


def audit_count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def year_overrides(year: int) -> dict[date, tuple[bool, str]]:
    return {o.day: (o.is_workday, o.note) for o in db.session.scalars(select(CalendarOverride).where(
        CalendarOverride.day >= date(year, 1, 1), CalendarOverride.day <= date(year, 12, 31)))}


# --- the file format ---------------------------------------------------------------------------

def test_an_arrangement_is_read_line_by_line():
    days = parse_arrangement(NEXT, ARRANGEMENT)
    assert days == {
        date(NEXT, 1, 1): (False, "元旦"), date(NEXT, 2, 6): (False, "春节"), date(NEXT, 2, 7): (True, "春节调休"),
        date(NEXT, 2, 8): (False, "春节"), date(NEXT, 2, 20): (True, "春节调休"), date(NEXT, 10, 1): (False, "国庆节"),
        date(NEXT, 10, 9): (True, ""),
    }
    assert list(days) == sorted(days)


@pytest.mark.parametrize("line, problem", [
    (f"{NEXT}-01-01", "第 2 行：应为“日期 休/班 说明”"),
    (f"{NEXT}-02-30 休 春节", "第 2 行：“{}-02-30”不是日期".format(NEXT)),
    ("元旦 休", "第 2 行：“元旦”不是日期"),
    (f"{NEXT - 1}-12-31 休 元旦", f"第 2 行：{NEXT - 1}-12-31 不在 {NEXT} 年"),
    (f"{NEXT}-01-02 放 元旦", "第 2 行：“放”应为“休”（放假）或“班”（调休上班）"),
    (f"{NEXT}-01-01 班", f"第 2 行：{NEXT}-01-01 与第 1 行重复"),
    (f"{NEXT}-01-02 休 " + "长" * 101, "第 2 行：说明不能超过 100 个字"),
])
def test_each_kind_of_wrong_line_is_named_with_its_number(line, problem):
    with pytest.raises(ArrangementError) as refused:
        parse_arrangement(NEXT, f"{NEXT}-01-01 休 元旦\n{line}\n")
    assert len(refused.value.problems) == 1 and refused.value.problems[0].startswith(problem), refused.value.problems


def test_every_wrong_line_is_reported_at_once_and_an_empty_text_is_refused():
    with pytest.raises(ArrangementError) as refused:
        parse_arrangement(NEXT, f"{NEXT}-01-01 休\n坏行\n{NEXT}-13-01 休\n{NEXT}-01-01 班\n")
    assert [p.split("：")[0] for p in refused.value.problems] == ["第 2 行", "第 3 行", "第 4 行"]
    with pytest.raises(ArrangementError, match="没有任何日期"):
        parse_arrangement(NEXT, "# only a comment\n\n")


# --- coverage ----------------------------------------------------------------------------------

def test_a_year_is_covered_by_the_package_or_by_its_whole_arrangement_never_by_one_override(app, ctx):
    assert Calendar().is_covered(2026) and not Calendar().is_provisional(date(2026, 12, 31))
    set_override(date(NEXT, 1, 1), False, "元旦")
    db.session.commit()
    cal = Calendar()
    assert not cal.is_covered(NEXT) and cal.is_provisional(date(NEXT, 3, 1))
    runner = app.test_cli_runner()
    assert "尚未维护" in runner.invoke(args=["calendar", "show", str(NEXT)]).output
    assert "chinese-calendar" in runner.invoke(args=["calendar", "show", "2026"]).output


# --- cms calendar set-year / export-year -------------------------------------------------------

def test_set_year_writes_nothing_when_any_line_is_wrong(app, ctx, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["calendar", "set", f"{NEXT}-05-01", "holiday", "--note", "劳动节"])
    bad = tmp_path / "bad.txt"
    bad.write_text(ARRANGEMENT + f"{NEXT}-02-31 休 春节\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "set-year", str(NEXT), str(bad)])
    assert result.exit_code == 1 and "未写入任何内容" in result.output and "第 10 行：" in result.output
    assert year_overrides(NEXT) == {date(NEXT, 5, 1): (False, "劳动节")}          # as before
    assert entered(NEXT) is None and audit_count("calendar.set_year") == 0


def test_set_year_replaces_the_years_overrides_and_covers_it(app, ctx, tmp_path):
    runner = app.test_cli_runner()
    runner.invoke(args=["calendar", "set", f"{NEXT}-05-01", "holiday", "--note", "劳动节"])
    runner.invoke(args=["calendar", "set", f"{NEXT + 1}-01-01", "holiday"])
    good = tmp_path / "good.txt"
    good.write_text(ARRANGEMENT, encoding="utf-8")
    result = runner.invoke(args=["calendar", "set-year", str(NEXT), str(good), "--source", "国办发明电"])
    assert result.exit_code == 0 and f"已录入 {NEXT} 年节假日安排：放假 4 天，调休上班 3 天" in result.output
    assert year_overrides(NEXT) == parse_arrangement(NEXT, ARRANGEMENT)          # 05-01 replaced
    assert year_overrides(NEXT + 1) == {date(NEXT + 1, 1, 1): (False, "")}       # other years untouched
    row = entered(NEXT)
    assert row.entered_by == "系统（命令行）" and row.source == "国办发明电" and audit_count("calendar.set_year") == 1
    cal = Calendar()
    assert cal.is_covered(NEXT) and not cal.is_provisional(date(NEXT, 6, 1))
    assert not cal.is_workday(date(NEXT, 1, 1)) and cal.is_workday(date(NEXT, 2, 7))
    assert "系统（命令行）" in runner.invoke(args=["calendar", "show", str(NEXT)]).output


def test_export_year_round_trips_to_another_installation(app, ctx, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["calendar", "export-year", str(NEXT)]).exit_code == 1   # nothing known yet
    source = tmp_path / "arrangement.txt"
    source.write_text(ARRANGEMENT, encoding="utf-8")
    runner.invoke(args=["calendar", "set-year", str(NEXT), str(source)])
    exported = runner.invoke(args=["calendar", "export-year", str(NEXT)])
    assert exported.exit_code == 0
    assert parse_arrangement(NEXT, exported.output) == parse_arrangement(NEXT, ARRANGEMENT)
    copy = tmp_path / "copy.txt"
    copy.write_text(exported.output, encoding="utf-8")
    before = year_overrides(NEXT)
    assert runner.invoke(args=["calendar", "set-year", str(NEXT), str(copy)]).exit_code == 0
    assert year_overrides(NEXT) == before
    assert runner.invoke(args=["calendar", "export-year", str(NEXT)]).output == exported.output
    # A year of the package exports what differs from plain weekends.
    package_year = runner.invoke(args=["calendar", "export-year", "2026"]).output
    assert "2026-02-14 班\n" in package_year and "2026-10-01 休\n" in package_year
    assert "2026-10-11" not in package_year                                             # an ordinary Sunday


# --- warnings ----------------------------------------------------------------------------------

def test_the_years_warned_about_follow_the_date(app, ctx):
    assert coverage_warnings(date(NEXT - 1, 11, 30)) == []                 # next year not within 31 days yet
    [december] = coverage_warnings(date(NEXT - 1, 12, 1))
    assert december.year == NEXT and not december.this_year and "明年" in december.message
    [january] = coverage_warnings(date(NEXT, 1, 5))
    assert january.this_year and "今年" in january.message and f"set-year {NEXT}" in january.hint
    assert [w.year for w in coverage_warnings(date(NEXT, 12, 7))] == [NEXT, NEXT + 1]


def test_the_demo_warns_on_the_dashboard_healthz_and_security_check_until_the_year_is_entered(demo, client, auth,
                                                                                              tmp_path):
    warning = f"{NEXT} 年的法定节假日和调休安排尚未录入"
    runner = demo.test_cli_runner()
    runner.invoke(args=["tenants", "create", "songshan", "--name", "松山区", "--kind", "district"])
    with at_china(date(NEXT - 1, 12, 7)):
        auth.login("admin")                                        # superadmin: two districts, the index
        index = client.get("/admin/").get_data(as_text=True)
        assert warning in index and f'href="/admin/calendar?year={NEXT}"' in index
        assert warning in client.get("/admin/qinglan/").get_data(as_text=True)
        other = demo.test_client()
        Auth(other).login("wang")                                  # cannot enter it: not told
        assert warning not in other.get("/admin/qinglan/").get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json["status"] == "ok"
        assert health.json["calendar"].startswith("warning: ") and warning in health.json["calendar"]
        result = runner.invoke(args=["security-check"])
        assert f"[警告] S015 {warning}" in result.output and f"cms calendar set-year {NEXT}" in result.output
        with demo.app_context():
            assert [f.level for f in deploy_findings(demo) if f.code == "S015"] == ["警告"]

        arrangement = tmp_path / "arrangement.txt"
        arrangement.write_text(ARRANGEMENT, encoding="utf-8")
        assert runner.invoke(args=["calendar", "set-year", str(NEXT), str(arrangement)]).exit_code == 0
        assert warning not in client.get("/admin/").get_data(as_text=True)
        assert client.get("/healthz").json["calendar"] == "ok"
        assert "S015" not in runner.invoke(args=["security-check"]).output


# --- the admin page ----------------------------------------------------------------------------

def test_a_superadmin_pastes_the_arrangement_on_the_calendar_page(demo, client, auth):
    auth.login("admin")
    page_url = f"/admin/calendar?year={NEXT}"
    assert "尚未维护" in client.get(page_url).get_data(as_text=True)
    # Without the CSRF token: refused
    assert client.post(f"/admin/calendar/{NEXT}", data={"arrangement": ARRANGEMENT}).status_code == 400
    # A wrong line: the page again with the line named, nothing written
    refused = post_form(client, page_url, {"arrangement": f"{NEXT}-01-01 休 元旦\n{NEXT}-02-07 调 春节"},
                        url=f"/admin/calendar/{NEXT}")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "第 2 行：“调”应为“休”（放假）或“班”（调休上班）" in html
    with demo.app_context():
        assert entered(NEXT) is None and year_overrides(NEXT) == {}
    done = post_form(client, page_url, {"arrangement": ARRANGEMENT, "source": f"国务院办公厅关于{NEXT}年部分节假日安排的通知"},
                     url=f"/admin/calendar/{NEXT}", follow_redirects=True)
    html = done.get_data(as_text=True)
    assert f"已录入 {NEXT} 年节假日安排：放假 4 天，调休上班 3 天。" in html
    assert "已知（来自系统管理员（admin） 于" in html and f"依据：国务院办公厅关于{NEXT}年部分节假日安排的通知" in html
    with demo.app_context():
        assert entered(NEXT).entered_by == "系统管理员（admin）" and audit_count("calendar.set_year") == 1
        assert year_overrides(NEXT) == parse_arrangement(NEXT, ARRANGEMENT)
    assert "已知（来自日历包 chinese-calendar" in client.get("/admin/calendar?year=2026").get_data(as_text=True)


def test_only_superadmins_may_enter_a_year(demo, client, auth):
    auth.login("wang")                         # system admin of the county, not of the installation
    account = client.get("/admin/account").get_data(as_text=True)
    response = client.post(f"/admin/calendar/{NEXT}", data={"arrangement": ARRANGEMENT, "csrf_token": csrf_from(account)})
    assert response.status_code == 404        # like the calendar page: no role there, so it does not exist
    with demo.app_context():
        assert entered(NEXT) is None and year_overrides(NEXT) == {}
    auth.logout()
    assert client.post(f"/admin/calendar/{NEXT}", data={"arrangement": ARRANGEMENT}).status_code in (302, 400)
