"""Working days (工作日): the one calendar every deadline is computed with.

Chinese statutory holidays and make-up working days (调休) come from the maintained
`chinese-calendar` package; administrators add overrides for years it does not cover yet (the
State Council publishes each year's arrangement in November or December) or to correct it.
A year that neither covers is counted with weekends only, and `is_covered()` says so, so
pages can warn instead of silently computing wrong deadlines.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from sqlalchemy import Boolean, Date, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.db import db


class CalendarOverride(db.Model):
    """An administrator's statement that a date is (or is not) a working day."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


@lru_cache(maxsize=64)
def _package_is_workday(day: date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


class Calendar:
    """Working-day arithmetic with the overrides loaded once (build one per request or job)."""

    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = overrides if overrides is not None else {
            o.day: o.is_workday for o in db.session.scalars(select(CalendarOverride))}

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        known = _package_is_workday(day)
        return known if known is not None else day.weekday() < 5

    def is_covered(self, year: int) -> bool:
        """Whether holidays of `year` are known (from the package or from overrides)."""
        return _package_covers(year) or any(d.year == year for d in self.overrides)

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n ≥ 0; 0 gives `start` itself)."""
        day = start
        while n > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end ≤ start).

        Published on the 20th working day after the information was formed: 20, on time.
        """
        if end <= start:
            return 0
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=i)))

    def nth_workday_of(self, first_day: date, n: int) -> date:
        """The n-th working day counted from `first_day` inclusive (n ≥ 1)."""
        day = first_day
        while not self.is_workday(day):
            day += timedelta(days=1)
        return self.add_workdays(day, n - 1)


def set_override(day: date, is_workday: bool, note: str = "") -> CalendarOverride:
    override = db.session.get(CalendarOverride, day)
    if override is None:
        override = CalendarOverride(day=day)
        db.session.add(override)
    override.is_workday = is_workday
    override.note = note
    return override


def remove_override(day: date) -> bool:
    override = db.session.get(CalendarOverride, day)
    if override is None:
        return False
    db.session.delete(override)
    return True
