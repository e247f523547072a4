"""Timeliness supervision (在线监测): for every applicable item of a tenant, is it up to date, due
soon or overdue, and which records were published late. Reports per month, quarter and year.

One rule decides an item's state, `evaluate_item`, and every place shows its result: the page, the
detail page, the chart, the CSV, .xlsx and PDF reports (plugins/catalog/reports.py) and the CLI.
States, the first that applies wins:
- 依申请公开 (`on_application`): the item is disclosed on application only (its 方式 is only 依申请,
  or it has published records and every one of them, of any age, is 依申请公开 / 不予公开; drafts
  never decide); it never counts as missing (issue 18, point 6).
- 逾期 (`overdue`): a record the rule asks for is past its deadline and still not published.
- 超时 (`late`): published, but after the deadline, in the period reported (or the display was
  shorter than the rule's minimum).
- 即将到期 (`due_soon`): not published yet, the deadline is within DUE_SOON_WORKDAYS working days.
- 按时 (`ok`) / 无固定时限 (`untracked`) / 暂无信息 (`empty`).
Everything is judged as of the reference day of the report (its last day, or today when the period
is not over), and a record published after that day was still unpublished then. A periodic item is
judged on each of its cycles (month, quarter, year) within the period reported, from the cycle
containing its first day to the one containing the reference day, each against its own deadline: in a
月报告 that is one cycle, in a 年考核 a monthly item has twelve. A cycle counts once it is due by the
reference day (or already published); the item's timeliness is its cycles published on time over
those counted, and it is 逾期 when one of them was never published.

Rules (the item's structured time limit, in working days of core.workdays):
- after_change / immediate N: a record must be published within N working days of its 成文日期
  (the day the information was formed, or the event happened); a draft older than that is overdue.
- monthly / quarterly: a record must be published in each period, by its N-th working day.
- yearly: a record each year, by the given date (固定公开: by 31 January).
- display ≥ N working days: a periodic or immediate record must not lapse earlier.
A deadline in a year whose holidays are not known yet is counted with weekends only and marked
provisional (暂按周末计算) until the year's arrangement is entered (core.workdays).
"""
from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import and_, case, func, or_, select

from core.plugin_api import across_tenants, Calendar, china_date, china_today, CHINA_TZ, db, Tenant
from plugins.catalog import standard
from plugins.catalog.models import CatalogItem, CustomDomain, Record

STATE_LABELS = {"ok": "按时", "late": "超时", "due_soon": "即将到期", "overdue": "逾期", "empty": "暂无信息",
                "untracked": "无固定时限", "on_application": "依申请公开"}
DUE_SOON_WORKDAYS = 5

# Colour bands of a ratio (completeness, timeliness, the yearly score / 100), stated in the legend
# of every chart and report: at or above GOOD is green, at or above FAIR amber, below it red.
BAND_GOOD = 0.90
BAND_FAIR = 0.60
BAND_LABELS = {"good": f"良好（≥{BAND_GOOD:.0%}）", "fair": f"一般（{BAND_FAIR:.0%}–{BAND_GOOD:.0%}）",
               "poor": f"较差（<{BAND_FAIR:.0%}）"}


def band(ratio: float | None) -> str:
    """The colour band of a ratio between 0 and 1: good, fair or poor (None: no data, "none")."""
    if ratio is None:
        return "none"
    if ratio >= BAND_GOOD - 1e-9:
        return "good"
    return "fair" if ratio >= BAND_FAIR - 1e-9 else "poor"
PROVISIONAL_MARK = "（暂按周末计算）"


@dataclass
class Finding:
    kind: str            # late, pending_overdue, short_display
    record_id: int
    title: str
    text: str


@dataclass
class ItemStatus:
    item: CatalogItem
    state: str
    detail: str
    current: bool                 # has the record(s) the rule asks for now
    due: date | None = None
    last_published: date | None = None
    findings: list[Finding] = field(default_factory=list)
    provisional: bool = False     # `due` was counted with weekends only (its year's holidays unknown)
    cycles_due: int = 0           # periodic items: cycles of the period the rule asked for by the reference day
    cycles_on_time: int = 0       # ... and those published by their deadline

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def timeliness(self) -> float | None:
        """Share of what the rule asked for that was published in time: cycles on time / cycles due for
        a periodic item, else 1 (按时, 即将到期) or 0 (逾期, 超时); None for an item without a deadline."""
        if self.state not in TRACKED_STATES:
            return None
        if self.cycles_due:
            return self.cycles_on_time / self.cycles_due
        return 1.0 if self.state in ("ok", "due_soon") else 0.0


TRACKED_STATES = ("ok", "late", "overdue", "due_soon")   # items with a deadline the rule checked


@dataclass
class TenantReport:
    tenant: Tenant
    items: list[ItemStatus]
    published_in_period: int = 0

    @property
    def proactive(self) -> list[ItemStatus]:
        return [s for s in self.items if s.state != "on_application"]

    @property
    def applicable(self) -> int:
        """Items the tenant must publish proactively (依申请-only items are not missing when empty)."""
        return len(self.proactive)

    @property
    def current(self) -> int:
        return sum(1 for s in self.proactive if s.current)

    @property
    def completeness(self) -> float:
        return self.current / self.applicable if self.applicable else 1.0

    @property
    def tracked(self) -> int:
        return sum(1 for s in self.items if s.state in TRACKED_STATES)

    @property
    def timeliness(self) -> float | None:
        """The mean of the timeliness of the items with a deadline (ItemStatus.timeliness; None: none):
        a periodic item counts by its cycles, so a month missed in a year weighs 1/12 of that item."""
        ratios = [s.timeliness for s in self.items if s.state in TRACKED_STATES]
        return sum(ratios) / len(ratios) if ratios else None

    def count(self, state: str) -> int:
        return sum(1 for s in self.items if s.state == state)

    @property
    def late(self) -> int:
        return self.count("late")

    @property
    def band(self) -> str:
        return band(self.completeness)

    @property
    def provisional(self) -> bool:
        return any(s.provisional for s in self.items)

    @property
    def problems(self) -> list[ItemStatus]:
        order = {"overdue": 0, "late": 1, "due_soon": 2, "empty": 3}
        return sorted((s for s in self.items if s.state in order or s.findings),
                      key=lambda s: (order.get(s.state, 4), s.item.domain_code, s.item.id))


@dataclass(frozen=True)
class Period:
    kind: str       # "month", "quarter" or "year"
    year: int
    number: int     # month 1-12, quarter 1-4, 1 for a year

    @property
    def start(self) -> date:
        if self.kind == "year":
            return date(self.year, 1, 1)
        return date(self.year, self.number if self.kind == "month" else 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        first = self.start
        y, m = divmod(first.month - 1 + months, 12)
        return date(first.year + y, m + 1, 1) - timedelta(days=1)

    @property
    def key(self) -> str:
        if self.kind == "year":
            return str(self.year)
        return f"{self.year}-{self.number:02d}" if self.kind == "month" else f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年度"
        return f"{self.year}年{self.number}月" if self.kind == "month" else f"{self.year}年第{self.number}季度"

    @property
    def report_name(self) -> str:
        return {"month": "月报告", "quarter": "季通报", "year": "年考核"}[self.kind]

    def previous(self) -> "Period":
        if self.kind == "year":
            return Period("year", self.year - 1, 1)
        if self.number > 1:
            return Period(self.kind, self.year, self.number - 1)
        return Period(self.kind, self.year - 1, 12 if self.kind == "month" else 4)

    @classmethod
    def containing(cls, day: date, kind: str = "month") -> "Period":
        if kind == "year":
            return cls("year", day.year, 1)
        return cls(kind, day.year, day.month if kind == "month" else (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, key: str | None, today: date) -> "Period":
        """2026-11 → November 2026; 2026-Q4 → fourth quarter; 2026 → the year; anything else → this month."""
        try:
            if (key or "").isdigit() and 2000 <= int(key) <= today.year:
                return cls("year", int(key), 1)
            year, rest = (key or "").split("-", 1)
            if not 2000 <= int(year) <= today.year + 1:
                return cls.containing(today)
            if rest.upper().startswith("Q"):
                number = int(rest[1:])
                if 1 <= number <= 4:
                    return cls("quarter", int(year), number)
            elif 1 <= int(rest) <= 12:
                return cls("month", int(year), int(rest))
        except ValueError:
            pass
        return cls.containing(today)


def _published_day(record) -> date:
    return record.published_at.astimezone(CHINA_TZ).date()


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(max(day, 1), monthrange(year, month)[1]))


def _is_valid_on(r, day: date) -> bool:
    if r.validity != "valid" and not (r.validity_date and r.validity_date > day):
        return False
    return not (getattr(r, "expiry_date", None) and r.expiry_date < day)


def on_application_only(item: CatalogItem, published: list, older_proactive: bool = False) -> bool:
    """Disclosed on application only: the item's 方式 is 依申请 alone, or it has published records and
    none of them is 主动公开 (each 依申请公开 or 不予公开, with its stated reason). Only published records
    decide: a draft is an intention, and `older_proactive` says the item published proactive records
    before the records at hand (older than the window evaluate reads)."""
    methods = set(item.methods or [])
    if "依申请" in methods and "主动" not in methods:
        return True
    return (not older_proactive and bool(published)
            and all(getattr(r, "disclosure", "proactive") != "proactive" for r in published))


def evaluate_item(item: CatalogItem, records: list, as_of: date, cal: Calendar,
                  last_valid: date | None = None, since: date | None = None,
                  older_proactive: bool = False) -> ItemStatus:
    """The state of one item as of `as_of`: the one rule every page, chart and export shows.

    `records` are the item's recent and unpublished records; `last_valid` the publication day of
    its newest valid record of any age (a valid record from years ago still counts); `since` the
    first day of the period reported: a record published late counts (as 超时) when it was
    published from that day on (by default within the year before `as_of`), and a periodic item is
    judged on each of its cycles from the one containing that day (by default only the cycle
    containing `as_of`); `older_proactive`: the item has proactive records older than `records`."""
    rule = item.rule or {"kind": "none"}
    kind = rule.get("kind", "none")
    first_cycle_day = since or as_of
    since = since or as_of - timedelta(days=366)
    records = [r for r in records if not (r.written_date and r.written_date > as_of)]
    published = [r for r in records if r.status == "published" and r.published_at and _published_day(r) <= as_of]
    if on_application_only(item, published, older_proactive):
        return ItemStatus(item, "on_application", "依申请公开事项，不计入主动公开完整率", False)
    has_valid = any(_is_valid_on(r, as_of) for r in published) or (last_valid is not None and last_valid <= as_of)
    # Unpublished on `as_of`: drafts, and records published only after it (a past period's report).
    published_ids = {id(r) for r in published}
    pending = [r for r in records
               if id(r) not in published_ids and not (r.status == "published" and not r.published_at)]
    last = max([_published_day(r) for r in published] + ([last_valid] if last_valid and last_valid <= as_of else []),
               default=None)
    findings: list[Finding] = []

    if rule.get("display_workdays"):
        for r in published:
            if r.validity != "valid" and r.validity_date and r.validity_date <= as_of and r.validity_date >= since:
                days_shown = cal.workdays_between(_published_day(r), r.validity_date)
                if days_shown < rule["display_workdays"]:
                    findings.append(Finding("short_display", r.id, r.title,
                                            f"只公开了 {days_shown} 个工作日{_mark(cal, r.validity_date)}，"
                                            f"少于规定的 {rule['display_workdays']} 个工作日"))

    if kind in ("after_change", "immediate", "none"):
        # With no deadline of its own an item falls under the statute: proactive information is
        # published within 20 working days of being formed or changed (条例 第二十六条).
        limit = rule.get("days", 20)
        for r in published:
            if r.written_date and _published_day(r) >= since:
                took = cal.workdays_between(r.written_date, _published_day(r))
                if took > limit:
                    findings.append(Finding("late", r.id, r.title, f"成文后第 {took} 个工作日{_mark(cal, _published_day(r))}"
                                                                   f"才发布，超过 {limit} 个工作日的时限"))
        overdue, soon = [], []
        for r in pending:
            if r.written_date:
                due = cal.add_workdays(r.written_date, limit)
                if due < as_of:
                    overdue.append((r, due))
                elif cal.workdays_between(as_of, due) <= DUE_SOON_WORKDAYS:
                    soon.append((r, due))
        for r, due in overdue:
            findings.append(Finding("pending_overdue", r.id, r.title,
                                    f"应于 {due:%Y-%m-%d}{_mark(cal, due)} 前发布，至今未发布"))
        late = [f for f in findings if f.kind in ("late", "short_display")]
        if overdue:
            due = min(d for _, d in overdue)
            return ItemStatus(item, "overdue", f"{len(overdue)} 条信息超过公开时限仍未发布", has_valid,
                              due, last, findings, cal.is_provisional(due))
        if late:
            return ItemStatus(item, "late", f"{len(late)} 条信息超过时限才发布或公开期不足", has_valid, None, last,
                              findings)
        if soon:
            due = min(d for _, d in soon)
            return ItemStatus(item, "due_soon", f"{len(soon)} 条信息即将到期", has_valid, due, last, findings,
                              cal.is_provisional(due))
        if not has_valid:
            return ItemStatus(item, "empty", "尚未公开任何信息", False, None, last, findings)
        return ItemStatus(item, "ok" if kind != "none" else "untracked", f"最近发布于 {last:%Y-%m-%d}", True, None,
                          last, findings)

    if kind in CYCLE_KINDS:
        return _evaluate_cycles(item, rule, published, _cycles(kind, first_cycle_day, as_of), as_of, cal, last,
                                findings)

    return ItemStatus(item, "empty", "尚未公开任何信息", False, None, last, findings)


CYCLE_KINDS = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


@dataclass
class _Cycle:
    """One cycle of a periodic item, as judged on the reference day."""
    period: Period
    due: date
    provisional: bool
    published: list[date]     # publication days within the cycle, up to the reference day
    short: bool               # a record of the cycle was displayed for less than the minimum

    @property
    def first(self) -> date | None:
        return self.published[0] if self.published else None

    @property
    def on_time(self) -> bool:
        return bool(self.published) and self.published[0] <= self.due and not self.short


def _cycles(kind: str, first: date, last: date) -> list[Period]:
    """The cycles (months, quarters or years) of a periodic item from the one containing `first` to
    the one containing `last`."""
    cycle = Period.containing(last, CYCLE_KINDS[kind])
    cycles = [cycle]
    while cycle.start > first:
        cycle = cycle.previous()
        cycles.append(cycle)
    return cycles[::-1]


def _deadline(rule: dict, cycle: Period, cal: Calendar) -> tuple[date, bool]:
    """A cycle's deadline, and whether it was counted with weekends only (its year's holidays unknown)."""
    kind = rule["kind"]
    if kind == "yearly":
        return _clamped(cycle.year, min(max(rule.get("month", 1), 1), 12), rule.get("day", 31)), False
    if "due_day" in rule:
        return _clamped(cycle.year, cycle.start.month, rule["due_day"]), False
    due = cal.nth_workday_of(cycle.start, rule.get("due_workdays", standard.DEFAULT_PERIOD_DUE.get(kind, 10)))
    return due, cal.is_provisional(due)


def _evaluate_cycles(item: CatalogItem, rule: dict, published: list, periods: list[Period], as_of: date,
                     cal: Calendar, last: date | None, findings: list[Finding]) -> ItemStatus:
    """A periodic item over the cycles of the period reported (the last one contains `as_of`): each
    cycle due by then, or already published, counts once for timeliness (on time / due)."""
    short = {f.record_id for f in findings if f.kind == "short_display"}
    cycles = []
    for period in periods:
        due, provisional = _deadline(rule, period, cal)
        mine = [r for r in published if period.start <= _published_day(r) <= period.end]
        cycles.append(_Cycle(period, due, provisional, sorted(_published_day(r) for r in mine),
                             any(r.id in short for r in mine)))
    now = cycles[-1]
    counted = [c for c in cycles if c.published or as_of > c.due]
    on_time = sum(1 for c in counted if c.on_time)
    tally = f"；本期应公开 {len(counted)} 期，按时 {on_time} 期" if len(counted) > 1 else ""

    def status(state: str, detail: str, cycle: _Cycle) -> ItemStatus:
        return ItemStatus(item, state, detail + tally, bool(now.published), cycle.due, last, findings,
                          cycle.provisional, len(counted), on_time)

    missed = [c for c in cycles if not c.published and as_of > c.due]
    late = [c for c in cycles if c.first and c.first > c.due]
    findings += [Finding("late", 0, item.name, f"{c.period.label}于 {c.first:%Y-%m-%d} 才公开，晚于 {c.due:%Y-%m-%d} 的期限")
                 for c in late]
    if missed:
        first = missed[0]
        if len(missed) == 1:
            return status("overdue", f"{first.period.label}尚未公开，应于 {first.due:%Y-%m-%d} 前公开", first)
        return status("overdue", f"{'、'.join(c.period.label for c in missed)}未按期公开，"
                                 f"最早应于 {first.due:%Y-%m-%d} 前公开", first)
    if late:
        first = late[0]
        return status("late", f"{first.period.label}已公开（{first.first:%Y-%m-%d}），晚于期限 {first.due:%Y-%m-%d}",
                      first)
    if short:
        cycle = next((c for c in cycles if c.short), now)
        return status("late", f"{cycle.period.label}已公开（{cycle.published[-1]:%Y-%m-%d}），公开期不足"
                      if cycle.published else f"{len(short)} 条信息公开期不足", cycle)
    if now.published:
        return status("ok", f"{now.period.label}已公开（{now.published[-1]:%Y-%m-%d}），期限 {now.due:%Y-%m-%d}", now)
    return status("due_soon", f"{now.period.label}尚未公开，截止 {now.due:%Y-%m-%d}", now)


def _mark(cal: Calendar, due: date) -> str:
    return PROVISIONAL_MARK if cal.is_provisional(due) else ""


def evaluate(tenants: Iterable[Tenant], *, as_of: date | None = None, period: Period | None = None) -> list[TenantReport]:
    """Reports for several tenants with three queries (items, recent records, older records per item),
    whatever their number."""
    from plugins.catalog.services import district_id, is_applicable
    tenants = list(tenants)
    as_of = as_of or china_today()
    since = None
    if period is not None:
        as_of = min(as_of, period.end)
        since = period.start
    ids = [t.id for t in tenants]
    cal = Calendar()
    window = as_of - timedelta(days=400)
    with across_tenants(ids, reason="catalog supervision"):
        items = db.session.scalars(select(CatalogItem).where(CatalogItem.tenant_id.in_(ids))).all()
        rows = db.session.execute(select(
            Record.id, Record.tenant_id, Record.item_id, Record.title, Record.status, Record.validity,
            Record.validity_date, Record.written_date, Record.published_at, Record.expiry_date, Record.disclosure)
            .where(Record.tenant_id.in_(ids), or_(Record.status != "published", Record.published_at >= _utc_day(window)))
        ).all()
        # Per item, from the records older than the window: the newest valid one, however old (it keeps
        # the item current), and whether any was proactive (then the item is not 依申请-only).
        older = db.session.execute(
            select(Record.item_id,
                   func.max(case((and_(Record.validity == "valid",
                                       or_(Record.expiry_date.is_(None), Record.expiry_date >= as_of)),
                                  Record.published_at))),
                   func.max(case((Record.disclosure == "proactive", 1), else_=0)))
            .where(Record.tenant_id.in_(ids), Record.status == "published", Record.published_at < _utc_day(window))
            .group_by(Record.item_id)).all()
    roots = {district_id(t) for t in tenants}
    with across_tenants(roots, reason="catalog supervision: the districts' disabled custom domains"):
        inactive: dict[int, set[str]] = defaultdict(set)
        for root, code in db.session.execute(select(CustomDomain.tenant_id, CustomDomain.code).where(
                CustomDomain.tenant_id.in_(roots), CustomDomain.active.is_(False))):
            inactive[root].add(code)
    last_valid = {item_id: china_date(at) for item_id, at, _ in older if at is not None}
    older_proactive = {item_id for item_id, _, proactive in older if proactive}
    by_item: dict[int, list] = defaultdict(list)
    for r in rows:
        by_item[r.item_id].append(r)
    parents = {i.parent_id for i in items if i.parent_id}
    by_tenant: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in items:
        by_tenant[item.tenant_id].append(item)
    reports = []
    for tenant in tenants:
        leaves = [i for i in by_tenant[tenant.id]
                  if i.id not in parents and is_applicable(i, tenant, inactive[district_id(tenant)])]
        statuses = [evaluate_item(i, by_item[i.id], as_of, cal, last_valid.get(i.id), since, i.id in older_proactive)
                    for i in sorted(leaves, key=lambda i: (i.domain_code, i.parent_id or 0, i.position, i.id))]
        report = TenantReport(tenant, statuses)
        if period is not None:
            report.published_in_period = sum(
                1 for i in leaves for r in by_item[i.id]
                if r.status == "published" and r.published_at and period.start <= _published_day(r) <= period.end)
        reports.append(report)
    return reports


def _utc_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def trend(tenants: list[Tenant], months: int = 6, *, as_of: date | None = None) -> list[tuple[Period, float]]:
    """Completeness of the tenants together at the end of each of the last `months` months."""
    as_of = as_of or china_today()
    period = Period.containing(as_of)
    periods = []
    for _ in range(months):
        periods.append(period)
        period = period.previous()
    out = []
    for p in reversed(periods):
        reports = evaluate(tenants, as_of=min(as_of, p.end))
        applicable = sum(r.applicable for r in reports)
        out.append((p, (sum(r.current for r in reports) / applicable) if applicable else 1.0))
    return out
