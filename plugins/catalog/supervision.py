"""Timeliness supervision (在线监测): for every applicable item of a tenant, is it up to date, due
soon or overdue, and which records were published late. Reports per month and quarter.

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

STATE_LABELS = {"ok": "按时", "due_soon": "即将到期", "overdue": "逾期", "empty": "暂无信息", "untracked": "无固定时限"}
DUE_SOON_WORKDAYS = 5
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


@dataclass
class TenantReport:
    tenant: Tenant
    items: list[ItemStatus]
    published_in_period: int = 0

    @property
    def applicable(self) -> int:
        return len(self.items)

    @property
    def current(self) -> int:
        return sum(1 for s in self.items if s.current)

    @property
    def completeness(self) -> float:
        return self.current / self.applicable if self.applicable else 1.0

    def count(self, state: str) -> int:
        return sum(1 for s in self.items if s.state == state)

    @property
    def late(self) -> int:
        return sum(1 for s in self.items for f in s.findings if f.kind in ("late", "short_display"))

    @property
    def provisional(self) -> bool:
        return any(s.provisional for s in self.items)

    @property
    def problems(self) -> list[ItemStatus]:
        order = {"overdue": 0, "due_soon": 1, "empty": 2}
        return sorted((s for s in self.items if s.state in order or s.findings),
                      key=lambda s: (order.get(s.state, 3), s.item.domain_code, s.item.id))


@dataclass(frozen=True)
class Period:
    kind: str       # "month" or "quarter"
    year: int
    number: int     # month 1-12 or quarter 1-4

    @property
    def start(self) -> date:
        return date(self.year, self.number if self.kind == "month" else 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        months = 1 if self.kind == "month" else 3
        first = self.start
        y, m = divmod(first.month - 1 + months, 12)
        return date(first.year + y, m + 1, 1) - timedelta(days=1)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number:02d}" if self.kind == "month" else f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.number}月" if self.kind == "month" else f"{self.year}年第{self.number}季度"

    def previous(self) -> "Period":
        if self.number > 1:
            return Period(self.kind, self.year, self.number - 1)
        return Period(self.kind, self.year - 1, 12 if self.kind == "month" else 4)

    @classmethod
    def containing(cls, day: date, kind: str = "month") -> "Period":
        return cls(kind, day.year, day.month if kind == "month" else (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, key: str | None, today: date) -> "Period":
        """2026-11 → November 2026; 2026-Q4 → fourth quarter; anything else → this month."""
        try:
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


def evaluate_item(item: CatalogItem, records: list, as_of: date, cal: Calendar,
                  last_valid: date | None = None) -> ItemStatus:
    """`records` are the item's recent and unpublished records; `last_valid` the publication day of
    its newest valid record of any age (a valid record from years ago still counts)."""
    rule = item.rule or {"kind": "none"}
    kind = rule.get("kind", "none")
    published = [r for r in records if r.status == "published" and r.published_at and _published_day(r) <= as_of]
    has_valid = any(_is_valid_on(r, as_of) for r in published) or (last_valid is not None and last_valid <= as_of)
    pending = [r for r in records if r.status != "published"]
    last = max([_published_day(r) for r in published] + ([last_valid] if last_valid and last_valid <= as_of else []),
               default=None)
    findings: list[Finding] = []

    if rule.get("display_workdays"):
        for r in published:
            if r.validity != "valid" and r.validity_date:
                shown = cal.workdays_between(_published_day(r), r.validity_date)
                if shown < rule["display_workdays"]:
                    findings.append(Finding("short_display", r.id, r.title,
                                            f"只公开了 {shown} 个工作日{_mark(cal, r.validity_date)}，"
                                            f"少于规定的 {rule['display_workdays']} 个工作日"))

    if kind in ("after_change", "immediate", "none"):
        # With no deadline of its own an item falls under the statute: proactive information is
        # published within 20 working days of being formed or changed.
        limit = rule.get("days", 20)
        for r in published:
            if r.written_date:
                took = cal.workdays_between(r.written_date, _published_day(r))
                if took > limit and _published_day(r) >= as_of - timedelta(days=366):
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
        if overdue:
            due = min(d for _, d in overdue)
            return ItemStatus(item, "overdue", f"{len(overdue)} 条信息超过公开时限仍未发布", has_valid,
                              due, last, findings, cal.is_provisional(due))
        if soon:
            due = min(d for _, d in soon)
            return ItemStatus(item, "due_soon", f"{len(soon)} 条信息即将到期", has_valid, due, last, findings,
                              cal.is_provisional(due))
        if not has_valid:
            return ItemStatus(item, "empty", "尚未公开任何信息", False, None, last, findings)
        return ItemStatus(item, "ok" if kind != "none" else "untracked", f"最近发布于 {last:%Y-%m-%d}", True, None,
                          last, findings)

    if kind in ("monthly", "quarterly", "yearly"):
        start, _ = _period_bounds(kind, as_of)
        in_period = [r for r in published if _published_day(r) >= start]
        provisional = False
        if kind == "yearly":
            due = _clamped(as_of.year, min(max(rule.get("month", 1), 1), 12), rule.get("day", 31))
            name = "本年度"
        elif "due_day" in rule:
            due = _clamped(start.year, start.month, rule["due_day"])
            name = "本月"
        else:
            due = cal.nth_workday_of(start, rule.get("due_workdays", standard.DEFAULT_PERIOD_DUE.get(kind, 10)))
            name = "本月" if kind == "monthly" else "本季度"
            provisional = cal.is_provisional(due)
        if in_period:
            return ItemStatus(item, "ok", f"{name}已公开（{max(_published_day(r) for r in in_period):%Y-%m-%d}）",
                              True, due, last, findings)
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
    if period is not None:
        as_of = min(as_of, period.end)
    ids = [t.id for t in tenants]
    cal = Calendar()
    window = as_of - timedelta(days=400)
    with across_tenants(ids, reason="catalog supervision"):
        items = db.session.scalars(select(CatalogItem).where(CatalogItem.tenant_id.in_(ids))).all()
        rows = db.session.execute(select(
            Record.id, Record.tenant_id, Record.item_id, Record.title, Record.status, Record.validity,
            Record.validity_date, Record.written_date, Record.published_at, Record.expiry_date)
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
        statuses = [evaluate_item(i, by_item[i.id], as_of, cal, last_valid.get(i.id)) for i in
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
