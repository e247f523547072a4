"""Working-day arithmetic around the Spring Festival and National Day, overrides, uncovered years."""
from __future__ import annotations

from datetime import date

import pytest

from core.db import db
from core.workdays import Calendar, set_override

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


@pytest.fixture
def cal(ctx):
    return Calendar()


@pytest.mark.parametrize("day, workday", [
    (date(2026, 2, 14), True),    # Saturday, make-up working day before the Spring Festival
    (date(2026, 2, 16), False),   # Monday in the Spring Festival holiday
    (date(2026, 2, 23), False),
    (date(2026, 2, 24), True),
    (date(2026, 2, 28), True),    # Saturday, make-up working day after it
    (date(2026, 9, 20), True),    # Sunday, make-up working day before National Day
    (date(2026, 10, 1), False),
    (date(2026, 10, 7), False),
    (date(2026, 10, 10), True),   # Saturday, make-up working day after it
    (date(2026, 10, 11), False),  # an ordinary Sunday
    (date(2026, 11, 23), True),
])
def test_statutory_holidays_and_make_up_days(cal, day, workday):
    assert cal.is_workday(day) is workday


def test_adding_working_days_across_the_spring_festival(cal):
    assert cal.add_workdays(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert cal.add_workdays(date(2026, 2, 14), 1) == date(2026, 2, 24)
    # 3 working days after an event on the eve of the holiday (即时公开)
    assert cal.add_workdays(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert cal.workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_twenty_working_days_across_national_day(cal):
    # Formed on Friday 2026-09-18. Counted: Sun 9-20 (make-up) 1, 9-21..24 2-5, (9-25 off), 9-28..30 6-8,
    # (10-1..7 off), 10-8, 10-9 9-10, Sat 10-10 (make-up) 11, 10-12..16 12-16, 10-19..22 17-20.
    due = cal.add_workdays(date(2026, 9, 18), 20)
    assert due == date(2026, 10, 22)
    assert cal.workdays_between(date(2026, 9, 18), due) == 20
    assert cal.workdays_between(date(2026, 9, 18), date(2026, 10, 23)) == 21


def test_nth_working_day_of_a_month(cal):
    assert cal.nth_workday_of(date(2026, 10, 1), 1) == date(2026, 10, 8)
    assert cal.nth_workday_of(date(2026, 2, 1), 11) == date(2026, 2, 14)  # the make-up Saturday


def test_uncovered_year_counts_weekends_until_an_administrator_adds_the_holidays(ctx):
    cal = Calendar()
    assert not cal.is_covered(2031)
    assert cal.is_workday(date(2031, 1, 1))  # New Year's Day, unknown yet
    set_override(date(2031, 1, 1), False, "元旦")
    db.session.commit()
    cal = Calendar()
    # One day known, the year not (tests/core/test_calendar_coverage.py: the whole arrangement)
    assert not cal.is_covered(2031) and not cal.is_workday(date(2031, 1, 1))


def test_an_override_wins_over_the_package(ctx):
    set_override(date(2026, 11, 23), False, "临时调整")
    db.session.commit()
    assert not Calendar().is_workday(date(2026, 11, 23))


def test_calendar_cli(app):
    runner = app.test_cli_runner()
    assert "2027 年的法定节假日尚未维护" in runner.invoke(args=["calendar", "show", "2027"]).output
    result = runner.invoke(args=["calendar", "set", "2027-02-06", "holiday", "--note", "春节"])
    assert result.exit_code == 0 and "已设为休息日" in result.output
    shown = runner.invoke(args=["calendar", "show", "2026"]).output
    assert "2026-02-14 六  调休上班" in shown and "2026-10-01 四  放假" in shown
    assert "已删除" in runner.invoke(args=["calendar", "remove", "2027-02-06"]).output


def test_superadmins_keep_the_calendar_from_the_web(demo, client, auth):
    from tests.conftest import post_form
    auth.login("admin")
    page = client.get("/admin/calendar?year=2031").get_data(as_text=True)
    assert "2031 年的法定节假日尚未维护" in page
    post_form(client, "/admin/calendar?year=2031", {"day": "2031-01-01", "kind": "holiday", "note": "元旦"})
    html = client.get("/admin/calendar?year=2031").get_data(as_text=True)
    assert "2031-01-01" in html and "元旦" in html and "尚未维护" in html     # one day is not the year
    post_form(client, "/admin/calendar?year=2031", {"day": "2031-01-01", "kind": "holiday", "remove": "1"})
    assert "2031-01-01" not in client.get("/admin/calendar?year=2031").get_data(as_text=True)
    auth.logout()
    auth.login("wang")
    assert client.get("/admin/calendar").status_code == 404
