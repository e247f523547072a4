"""Working days (工作日): the one calendar every deadline is computed with.

Chinese statutory holidays and make-up working days (调休) come from the maintained
`chinese-calendar` package; administrators enter the State Council's arrangement for years it does
not cover yet (国务院办公厅关于X年部分节假日安排的通知, published each November or December) with
`set_year()`, or correct single days with overrides. A year is covered when the package knows it
or its whole arrangement was entered (a row in `calendar_years`); single overrides do not make a
year covered. A year that is not covered is counted with weekends only: deadlines in it are
provisional (`Calendar.is_provisional`), and `coverage_warnings()` tells the dashboard, /healthz
and `cms security-check` while this year, or next year from December on, is not covered.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache

import chinese_calendar
from sqlalchemy import Boolean, Date, Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.clock import china_date, utcnow
from core.db import UTCDateTime, db
from core.errors import DomainError


class CalendarOverride(db.Model):
    """An administrator's statement that a date is (or is not) a working day."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")


class CalendarYear(db.Model):
    """A year whose whole arrangement an administrator entered: its holidays are known."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(200), default="")


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

    def __init__(self, overrides: dict[date, bool] | None = None, entered_years: set[int] | None = None):
        self.overrides = overrides if overrides is not None else {
            o.day: o.is_workday for o in db.session.scalars(select(CalendarOverride))}
        if entered_years is not None:
            self.entered_years = entered_years

    @cached_property
    def entered_years(self) -> set[int]:
        """Years whose arrangement was entered (read on first use: most callers never ask)."""
        return set(db.session.scalars(select(CalendarYear.year)))

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        known = _package_is_workday(day)
        return known if known is not None else day.weekday() < 5

    def is_covered(self, year: int) -> bool:
        """Whether holidays of `year` are known: the package has them, or the arrangement was entered."""
        return _package_covers(year) or year in self.entered_years

    def is_provisional(self, day: date) -> bool:
        """A deadline on `day` was counted with weekends only: its year's holidays are not known."""
        return not self.is_covered(day.year)

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


# --- a year's whole arrangement (国务院办公厅关于X年部分节假日安排的通知) ---------------------------

# One day a line: `2027-02-07 班 春节调休` (date, kind, optional note); `#` starts a comment.
KIND_WORDS = {"休": False, "假": False, "holiday": False, "班": True, "上班": True, "workday": True}
NEXT_YEAR_NOTICE = timedelta(days=31)     # next year's holidays are wanted from 1 December
YEARS = range(2000, 2101)                 # years an arrangement may be entered for


class ArrangementError(DomainError):
    """Every wrong line of an arrangement, each named by its number."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems), field="arrangement")
        self.problems = problems


def parse_arrangement(year: int, text: str) -> dict[date, tuple[bool, str]]:
    """The days of `year` the arrangement lists, as {day: (is_workday, note)} in date order; every
    problem of the text at once in an ArrangementError (nothing is usable then)."""
    days: dict[date, tuple[bool, str]] = {}
    lines: dict[date, int] = {}
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.split("#", 1)[0].split(None, 2)
        if not parts:
            continue
        if len(parts) < 2:
            problems.append(f"第 {number} 行：应为“日期 休/班 说明”，例如“{year}-10-01 休 国庆节”。")
            continue
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            problems.append(f"第 {number} 行：“{parts[0]}”不是日期，应写成 {year}-01-01 这样的格式。")
            continue
        kind = KIND_WORDS.get(parts[1].lower())
        note = parts[2].strip() if len(parts) > 2 else ""
        if day.year != year:
            problems.append(f"第 {number} 行：{day} 不在 {year} 年。")
        elif kind is None:
            problems.append(f"第 {number} 行：“{parts[1]}”应为“休”（放假）或“班”（调休上班）。")
        elif day in lines:
            problems.append(f"第 {number} 行：{day} 与第 {lines[day]} 行重复。")
        elif len(note) > 100:
            problems.append(f"第 {number} 行：说明不能超过 100 个字。")
        else:
            days[day], lines[day] = (kind, note), number
    if not problems and not days:
        problems.append(f"没有任何日期：请逐行写出 {year} 年放假和调休上班的日期。")
    if problems:
        raise ArrangementError(problems)
    return dict(sorted(days.items()))


def format_arrangement(year: int, days: dict[date, tuple[bool, str]]) -> str:
    """The text `parse_arrangement` reads back: a year copied from one installation to another."""
    lines = [f"# {year} 年节假日安排：休 = 放假，班 = 调休上班"]
    lines += [f"{day:%Y-%m-%d} {'班' if workday else '休'}{' ' + note if note else ''}"
              for day, (workday, note) in sorted(days.items())]
    return "\n".join(lines) + "\n"


def in_year(year: int):
    """The overrides of `year` (a WHERE clause)."""
    return CalendarOverride.day.between(date(year, 1, 1), date(year, 12, 31))


def year_arrangement(year: int) -> dict[date, tuple[bool, str]]:
    """What the installation knows of `year`: the package's weekdays off and weekends worked, and
    every override of that year (with its note)."""
    days: dict[date, tuple[bool, str]] = {}
    day = date(year, 1, 1)
    while day.year == year:
        weekend = day.weekday() >= 5
        if _package_is_workday(day) == weekend:
            days[day] = (weekend, "")
        day += timedelta(days=1)
    for o in db.session.scalars(select(CalendarOverride).where(in_year(year))):
        days[o.day] = (o.is_workday, o.note)
    return dict(sorted(days.items()))


def set_year(year: int, days: dict[date, tuple[bool, str]], *, actor, source: str = "") -> CalendarYear:
    """Replace `year`'s overrides with its whole arrangement and record the year as covered, audited,
    in the caller's transaction (nothing is kept unless it commits)."""
    db.session.execute(delete(CalendarOverride).where(in_year(year)))
    db.session.add_all(CalendarOverride(day=day, is_workday=workday, note=note)
                       for day, (workday, note) in days.items())
    entered = db.session.get(CalendarYear, year)
    if entered is None:
        entered = CalendarYear(year=year)
        db.session.add(entered)
    name = getattr(actor, "display_name", "")
    entered.entered_by = getattr(actor, "label", "") or (f"{name}（{actor.username}）" if name else actor.username)
    entered.entered_at, entered.source = utcnow(), source
    audit.record("calendar.set_year", actor=actor, summary=f"录入 {year} 年节假日安排：{arrangement_summary(days)}"
                 + (f"（依据：{source}）" if source else ""))
    return entered


def arrangement_summary(days: dict[date, tuple[bool, str]]) -> str:
    off = sum(1 for workday, _ in days.values() if not workday)
    return f"放假 {off} 天，调休上班 {len(days) - off} 天"


def coverage_source(year: int) -> str | None:
    """Where `year`'s holidays come from, in words; None when they are not known."""
    entered = db.session.get(CalendarYear, year)
    if entered is not None:
        return (f"{entered.entered_by} 于 {china_date(entered.entered_at):%Y-%m-%d} 录入"
                + (f"，依据：{entered.source}" if entered.source else ""))
    if _package_covers(year):
        return f"日历包 chinese-calendar {chinese_calendar.__version__}"
    return None


@dataclass(frozen=True)
class CoverageWarning:
    """A year whose holidays are wanted now and not known: this year, or next year from December."""

    year: int
    this_year: bool

    @property
    def message(self) -> str:
        when = "今年的工作日时限目前只按周末计算" if self.this_year else "明年 1 月 1 日起的工作日时限将只按周末计算"
        return f"{self.year} 年的法定节假日和调休安排尚未录入，{when}。"

    @property
    def hint(self) -> str:
        return (f"国务院办公厅公布《关于{self.year}年部分节假日安排的通知》后，在管理后台“工作日日历”页面"
                f"或用 cms calendar set-year {self.year} 文件 录入。")


def coverage_warnings(today: date) -> list[CoverageWarning]:
    """The years the dashboard, /healthz and `cms security-check` warn about on `today`."""
    years = [today.year] + ([today.year + 1] if date(today.year + 1, 1, 1) - today <= NEXT_YEAR_NOTICE else [])
    missing = [year for year in years if not _package_covers(year)]
    if missing:
        entered = set(db.session.scalars(select(CalendarYear.year).where(CalendarYear.year.in_(missing))))
        missing = [year for year in missing if year not in entered]
    return [CoverageWarning(year, year == today.year) for year in missing]
