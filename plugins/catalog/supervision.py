"""Timeliness supervision (在线监测): for every applicable item of a tenant, is it up to date, due
soon or overdue, and which records were published late. Reports per month, quarter and year.

One rule decides an item's state, `evaluate_item`, and every place shows its result: the page, the
detail page, the chart, the CSV, .xlsx and PDF reports (plugins/catalog/reports.py) and the CLI.
States, the first that applies wins:
- 依申请公开 (`on_application`): the item is disclosed on application only (its 方式 is only 依申请,
  or every record under it is 依申请公开 / 不予公开); it never counts as missing (issue 18, point 6).
- 逾期 (`overdue`): a record the rule asks for is past its deadline and still not published.
- 超时 (`late`): published, but after the deadline, in the period reported (or the display was
  shorter than the rule's minimum).
- 即将到期 (`due_soon`): not published yet, the deadline is within DUE_SOON_WORKDAYS working days.
- 按时 (`ok`) / 无固定时限 (`untracked`) / 暂无信息 (`empty`).
Everything is judged as of the reference day of the report (its last day, or today when the period
is not over): a periodic item's deadline is the one of its cycle (month, quarter, year) containing
that day, and a record published after that day was still unpublished then.

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

from sqlalchemy import func, or_, select

from core.plugin_api import across_tenants, Calendar, china_date, china_today, CHINA_TZ, db, Tenant
from plugins.catalog import standard
from plugins.catalog.models import CatalogItem, Record

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

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


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
        """Share of the items with a deadline that are neither overdue nor published late (None: none)."""
        return (self.count("ok") + self.count("due_soon")) / self.tracked if self.tracked else None

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


def _period_bounds(kind: str, as_of: date) -> tuple[date, date]:
    if kind == "monthly":
        start = as_of.replace(day=1)
    elif kind == "quarterly":
        start = date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    else:
        start = date(as_of.year, 1, 1)
    return start, as_of


def _published_day(record) -> date:
    return record.published_at.astimezone(CHINA_TZ).date()


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(max(day, 1), monthrange(year, month)[1]))


def _is_valid_on(r, day: date) -> bool:
    if r.validity != "valid" and not (r.validity_date and r.validity_date > day):
        return False
    return not (getattr(r, "expiry_date", None) and r.expiry_date < day)


def on_application_only(item: CatalogItem, records: list) -> bool:
    """Disclosed on application only: the item's 方式 is 依申请 alone, or it has records and none of
    them is 主动公开 (each 依申请公开 or 不予公开, with its stated reason)."""
    methods = set(item.methods or [])
    if "依申请" in methods and "主动" not in methods:
        return True
    return bool(records) and all(getattr(r, "disclosure", "proactive") != "proactive" for r in records)


def evaluate_item(item: CatalogItem, records: list, as_of: date, cal: Calendar,
                  last_valid: date | None = None, since: date | None = None) -> ItemStatus:
    """The state of one item as of `as_of`: the one rule every page, chart and export shows.

    `records` are the item's recent and unpublished records; `last_valid` the publication day of
    its newest valid record of any age (a valid record from years ago still counts); `since` the
    first day of the period reported: a record published late counts (as 超时) when it was
    published from that day on (by default within the year before `as_of`)."""
    rule = item.rule or {"kind": "none"}
    kind = rule.get("kind", "none")
    since = since or as_of - timedelta(days=366)
    records = [r for r in records if not (r.written_date and r.written_date > as_of)]
    if on_application_only(item, records):
        return ItemStatus(item, "on_application", "依申请公开事项，不计入主动公开完整率", False)
    published = [r for r in records if r.status == "published" and r.published_at and _published_day(r) <= as_of]
    has_valid = any(_is_valid_on(r, as_of) for r in published) or (last_valid is not None and last_valid <= as_of)
    # Unpublished on `as_of`: drafts, and records published only after it (a past period's report).
    shown = {id(r) for r in published}
    pending = [r for r in records if id(r) not in shown and not (r.status == "published" and not r.published_at)]
    last = max([_published_day(r) for r in published] + ([last_valid] if last_valid and last_valid <= as_of else []),
               default=None)
    findings: list[Finding] = []

    if rule.get("display_workdays"):
        for r in published:
            if r.validity != "valid" and r.validity_date and r.validity_date <= as_of and r.validity_date >= since:
                shown = cal.workdays_between(_published_day(r), r.validity_date)
                if shown < rule["display_workdays"]:
                    findings.append(Finding("short_display", r.id, r.title,
                                            f"只公开了 {shown} 个工作日{_mark(cal, r.validity_date)}，"
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

    if kind in ("monthly", "quarterly", "yearly"):
        # The cycle of the item that contains the reference day, and its deadline.
        start, _ = _period_bounds(kind, as_of)
        cycle = Period.containing(as_of, {"monthly": "month", "quarterly": "quarter", "yearly": "year"}[kind])
        in_period = sorted(_published_day(r) for r in published if _published_day(r) >= start)
        provisional = False
        if kind == "yearly":
            due = _clamped(as_of.year, min(max(rule.get("month", 1), 1), 12), rule.get("day", 31))
        elif "due_day" in rule:
            due = _clamped(start.year, start.month, rule["due_day"])
        else:
            due = cal.nth_workday_of(start, rule.get("due_workdays", standard.DEFAULT_PERIOD_DUE.get(kind, 10)))
            provisional = cal.is_provisional(due)
        name = cycle.label
        late = [f for f in findings if f.kind == "short_display"]
        if in_period and in_period[0] > due:
            first = in_period[0]
            findings.append(Finding("late", 0, item.name, f"{name}于 {first:%Y-%m-%d} 才公开，晚于 {due:%Y-%m-%d} 的期限"))
            return ItemStatus(item, "late", f"{name}已公开（{first:%Y-%m-%d}），晚于期限 {due:%Y-%m-%d}", True, due, last,
                              findings, provisional)
        if in_period:
            if late:
                return ItemStatus(item, "late", f"{name}已公开（{in_period[-1]:%Y-%m-%d}），公开期不足", True, due, last,
                                  findings, provisional)
            return ItemStatus(item, "ok", f"{name}已公开（{in_period[-1]:%Y-%m-%d}），期限 {due:%Y-%m-%d}", True, due,
                              last, findings, provisional)
        if as_of > due:
            return ItemStatus(item, "overdue", f"{name}尚未公开，应于 {due:%Y-%m-%d} 前公开", False, due, last, findings,
                              provisional)
        return ItemStatus(item, "due_soon", f"{name}尚未公开，截止 {due:%Y-%m-%d}", False, due, last, findings,
                          provisional)

    return ItemStatus(item, "empty", "尚未公开任何信息", False, None, last, findings)


def _mark(cal: Calendar, due: date) -> str:
    return PROVISIONAL_MARK if cal.is_provisional(due) else ""


def evaluate(tenants: Iterable[Tenant], *, as_of: date | None = None, period: Period | None = None) -> list[TenantReport]:
    """Reports for several tenants with two queries (items, records), whatever their number."""
    from plugins.catalog.services import is_applicable
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
        # The newest valid record of each item, however old: it keeps the item current.
        last_valid = {item_id: china_date(at) for item_id, at in db.session.execute(
            select(Record.item_id, func.max(Record.published_at)).where(
                Record.tenant_id.in_(ids), Record.status == "published", Record.validity == "valid",
                Record.published_at < _utc_day(window), or_(Record.expiry_date.is_(None), Record.expiry_date >= as_of))
            .group_by(Record.item_id))}
    by_item: dict[int, list] = defaultdict(list)
    for r in rows:
        by_item[r.item_id].append(r)
    parents = {i.parent_id for i in items if i.parent_id}
    by_tenant: dict[int, list[CatalogItem]] = defaultdict(list)
    for item in items:
        by_tenant[item.tenant_id].append(item)
    reports = []
    for tenant in tenants:
        leaves = [i for i in by_tenant[tenant.id] if i.id not in parents and is_applicable(i, tenant)]
        statuses = [evaluate_item(i, by_item[i.id], as_of, cal, last_valid.get(i.id), since) for i in
                    sorted(leaves, key=lambda i: (i.domain_code, i.parent_id or 0, i.position, i.id))]
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
