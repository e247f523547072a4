"""The annual report's statistics of applications (国办公开办函〔2021〕30号, 政府信息公开工作年度报告格式):
section 三 (收到和处理政府信息公开申请情况) and section 四 (政府信息公开行政复议、行政诉讼情况),
computed from the applications of one tenant for one calendar year.

Which year an application counts in (China's dates, as stored):
- 一 本年新收: received (received_on, 第三十一条) within the year; an online application the office
  has not confirmed yet is not received and counts nowhere;
- 二 上年结转: received before the year and not finished before it began;
- 三 本年度办理结果: finished within the year, under its answer and reason; "finished" is the day
  the answer was made (answered_on) or, for an application closed without a letter (withdrawn for
  want of correction, lapsed unpaid), the day it was closed (closed_on);
- 四 结转下年度继续办理: received by the end of the year and not finished by then.
So 一 + 二 = 三（七）+ 四 holds for every column whenever no application is finished before it was
received; the check is computed from both sides independently and printed, as the report prints it.

The 信息处理费 charged (fees_charged_yuan) are the fees paid within the year, waived ones left out.

Section 四 counts the appeals filed within the year, each with its result as known at the end of
the year (a decision dated later is still 尚未审结 for that year's report).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from core.plugin_api import db, Tenant, tenant_scope
from plugins.applications.models import Appeal, Application, APPLICANT_LABELS, ORG_KINDS, REASONS

# The columns of section 三: 自然人, the five kinds of 法人或其他组织, 总计.
COLUMNS = ("citizen",) + ORG_KINDS + ("total",)
COLUMN_LABELS = APPLICANT_LABELS | {"total": "总计"}

NUMERALS = "一二三四五六七八"
# The sub-rows of 三 in the report's order: (answer, printed label, reasons counted one by one).
RESULT_GROUPS = (
    ("disclose", "予以公开", ()),
    ("partial", "部分公开（区分处理的，只计这一情形，不计其他情形）", ()),   # withheld parts not itemised
    ("withhold", "不予公开", tuple(REASONS["withhold"])),
    ("unable", "无法提供", tuple(REASONS["unable"])),
    ("not_handled", "不予处理", tuple(REASONS["not_handled"])),
    ("other", "其他处理", tuple(REASONS["other"])),
)
GROUP_REASONS = {answer: reasons for answer, _, reasons in RESULT_GROUPS}
APPEAL_RESULTS = ("upheld", "corrected", "other", "pending")
APPEAL_RESULT_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
                        "total": "总计"}
APPEAL_GROUPS = (("reconsideration", "行政复议"), ("direct", "行政诉讼·未经复议直接起诉"),
                 ("after_reconsideration", "行政诉讼·复议后起诉"))


@dataclass(frozen=True)
class StatisticsRow:
    """One printed row of section 三: `key` ("new", "carried_in", "disclose", "withhold.state_secret",
    "results_total", "carried_out", ...), the label as printed, its indent level (0: 一…四,
    1: （一）…（七）, 2: 1. 2. …) and the count per column key of COLUMNS (including "total")."""
    key: str
    label: str
    level: int
    counts: dict


@dataclass(frozen=True)
class ApplicationStatistics:
    """The computed tables of one tenant's year (the application_statistics hook's answer)."""
    tenant_id: int
    year: int
    columns: tuple                   # ((key, label), ...): citizen, the five organisation kinds, total
    rows: tuple                      # StatisticsRow, in the printed order
    appeals: dict                    # group key → {result key → int, "total": int} (section 四)
    anomalies: tuple = field(default=())   # 查询码 of applications finished before they were received
    fees_charged_yuan: int = 0       # 信息处理费 paid within the year (fees.py; waived fees not counted)

    def row(self, key: str) -> StatisticsRow:
        return next(r for r in self.rows if r.key == key)

    @property
    def check(self) -> tuple[int, int]:
        """一 + 二 and 三（七）+ 四, in the 总计 column."""
        return self.check_for("total")

    def check_for(self, column: str) -> tuple[int, int]:
        c = column
        return (self.row("new").counts[c] + self.row("carried_in").counts[c],
                self.row("results_total").counts[c] + self.row("carried_out").counts[c])

    @property
    def balanced(self) -> bool:
        """一 + 二 = 三（七）+ 四 in every column."""
        return all(left == right for left, right in (self.check_for(c) for c, _ in self.columns))

    @property
    def check_text(self) -> str:
        left, right = self.check
        new, carried_in = self.row("new").counts["total"], self.row("carried_in").counts["total"]
        results, carried_out = self.row("results_total").counts["total"], self.row("carried_out").counts["total"]
        sign = "=" if self.balanced else "≠"
        return (f"一 + 二 = {new} + {carried_in} = {left}；三（七）+ 四 = {results} + {carried_out} = {right}；"
                f"{left} {sign} {right}" + ("，核对一致。" if self.balanced else "，核对不一致，请检查下列申请的日期。"))


def finished_on(application) -> date | None:
    """The day the application left the office's hands: its answer, else its closing."""
    return application.answered_on or application.closed_on


def _zero() -> dict:
    return {c: 0 for c in COLUMNS}


def _add(counts: dict, kind: str) -> None:
    counts[kind] += 1
    counts["total"] += 1


def compute(tenant: Tenant, year: int) -> ApplicationStatistics:
    """Sections 三 and 四 of `tenant`'s annual report for `year`, from the stored dates."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    with tenant_scope(tenant):
        apps = db.session.execute(select(
            Application.code, Application.applicant_kind, Application.received_on, Application.answered_on,
            Application.closed_on, Application.answer, Application.answer_reason,
        ).where(Application.tenant_id == tenant.id, Application.received_on.is_not(None),
                Application.received_on <= end)).all()
        fees_charged = db.session.scalar(select(func.coalesce(func.sum(Application.fee_yuan), 0)).where(
            Application.tenant_id == tenant.id, Application.fee_paid_on >= start, Application.fee_paid_on <= end,
            Application.fee_waived.is_(False)))
        appeals = db.session.execute(select(Appeal.kind, Appeal.result, Appeal.decided_on, Appeal.after_reconsideration)
                                     .where(Appeal.tenant_id == tenant.id, Appeal.filed_on >= start,
                                            Appeal.filed_on <= end)).all()
    new, carried_in, carried_out = _zero(), _zero(), _zero()
    results = {key: _zero() for key in _result_keys()}
    anomalies = []
    for a in apps:
        done = finished_on(a)
        if done is not None and done < a.received_on:
            anomalies.append(a.code)
        if a.received_on >= start:
            _add(new, a.applicant_kind)
        elif done is None or done >= start:
            _add(carried_in, a.applicant_kind)
        if done is not None and start <= done <= end:
            # An answer outside the closed list cannot be stored through the services; were one
            # written directly, it is counted under 其他处理 / 其他 rather than lost.
            answer = a.answer if a.answer in GROUP_REASONS else "other"
            _add(results[answer], a.applicant_kind)
            reasons = GROUP_REASONS[answer]
            if reasons:
                _add(results[f"{answer}.{a.answer_reason if a.answer_reason in reasons else reasons[-1]}"],
                     a.applicant_kind)
            _add(results["results_total"], a.applicant_kind)
        elif done is None or done > end:
            _add(carried_out, a.applicant_kind)
    rows = [StatisticsRow("new", "一、本年新收政府信息公开申请数量", 0, new),
            StatisticsRow("carried_in", "二、上年结转政府信息公开申请数量", 0, carried_in),
            StatisticsRow("results", "三、本年度办理结果", 0, {})]
    for n, (answer, label, reasons) in enumerate(RESULT_GROUPS):
        rows.append(StatisticsRow(answer, f"（{NUMERALS[n]}）{label}", 1, results[answer]))
        for i, reason in enumerate(reasons, 1):
            rows.append(StatisticsRow(f"{answer}.{reason}", f"{i}. {REASONS[answer][reason]}", 2,
                                      results[f"{answer}.{reason}"]))
    rows.append(StatisticsRow("results_total", f"（{NUMERALS[len(RESULT_GROUPS)]}）总计", 1, results["results_total"]))
    rows.append(StatisticsRow("carried_out", "四、结转下年度继续办理", 0, carried_out))
    return ApplicationStatistics(tenant_id=tenant.id, year=year,
                                 columns=tuple((c, COLUMN_LABELS[c]) for c in COLUMNS), rows=tuple(rows),
                                 appeals=_appeal_table(appeals, end), anomalies=tuple(sorted(anomalies)),
                                 fees_charged_yuan=int(fees_charged or 0))


def _result_keys() -> list[str]:
    keys = ["results_total"]
    for answer, _, reasons in RESULT_GROUPS:
        keys.append(answer)
        keys.extend(f"{answer}.{r}" for r in reasons)
    return keys


def _appeal_table(appeals, end: date) -> dict:
    table = {group: {r: 0 for r in APPEAL_RESULTS + ("total",)} for group, _ in APPEAL_GROUPS}
    for kind, result, decided_on, after in appeals:
        group = "reconsideration" if kind == "reconsideration" else ("after_reconsideration" if after else "direct")
        known = result if result != "pending" and decided_on is not None and decided_on <= end else "pending"
        table[group][known] += 1
        table[group]["total"] += 1
    return table


def section_three_rows(stats: ApplicationStatistics) -> list[list]:
    """Section 三 as printed: a header row, then one row per line of the table."""
    header = ["", *[label for _, label in stats.columns]]
    out = [header]
    for row in stats.rows:
        indent = "    " * row.level
        out.append([indent + row.label, *[row.counts.get(c, "") if row.counts else "" for c, _ in stats.columns]])
    return out


def section_four_rows(stats: ApplicationStatistics) -> list[list]:
    """Section 四 as printed: one row, five cells per group."""
    header_1 = [label for _, label in APPEAL_GROUPS for _ in range(5)]
    header_2 = [APPEAL_RESULT_LABELS[r] for _ in APPEAL_GROUPS for r in APPEAL_RESULTS + ("total",)]
    values = [stats.appeals[g][r] for g, _ in APPEAL_GROUPS for r in APPEAL_RESULTS + ("total",)]
    return [header_1, header_2, values]
