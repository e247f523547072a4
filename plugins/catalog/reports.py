"""The supervision reports a district sends down: 月报告 (month), 季通报 (quarter) and 年考核 (year,
a score per unit), as a table on the page, CSV, .xlsx and PDF. Every one of them is made from the
same rows (`summary_table`, `assessment_table`), which come from the one rule of supervision.py, so
the page and the files never disagree.

年考核: a score out of 100 per unit from four measures, each a ratio between 0 and 1, weighted by the
setting CATALOG_ASSESSMENT_WEIGHTS (configuration or environment, e.g.
"completeness=40,timeliness=30,interpretation=15,application=15"; DEFAULT_WEIGHTS otherwise):
- completeness (公开完整率) and timeliness (公开及时率) come from the catalog itself;
- interpretation (政策解读) and application (依申请按时答复) come from other plugins through the
  `assessment_components` hook, asked only of the plugins enabled for each unit; a measure that no
  plugin enabled for a unit provides is shown as 未启用 for that unit.
The score is taken over the measures a unit has: the weights of the missing ones are left out and
the rest scaled up to 100 (score = Σ wᵢ·rᵢ / Σ wᵢ × 100 over the measures present), so a unit is
neither rewarded nor punished for a measure nobody keeps.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from openpyxl.styles import Font, PatternFill

from core.plugin_api import AssessmentComponent, append_rows, collect, new_workbook, ReportDocument, Tenant
from plugins.catalog import supervision as monitor

SUMMARY_HEADERS = ["单位", "类型", "适用事项", "已公开", "完整率", "按时", "无固定时限", "超时", "逾期", "即将到期",
                   "暂无信息", "依申请公开事项", "本期发布", "等级"]
PROBLEM_HEADERS = ["单位", "事项", "公开时限", "状态", "期限", "说明"]

COMPONENTS = ("completeness", "timeliness", "interpretation", "application")
CATALOG_MEASURES = ("completeness", "timeliness")   # kept by the catalog itself; the others come from plugins
COMPONENT_LABELS = {"completeness": "公开完整率", "timeliness": "公开及时率", "interpretation": "政策解读",
                    "application": "依申请按时答复率"}
DEFAULT_WEIGHTS = {"completeness": 40, "timeliness": 30, "interpretation": 15, "application": 15}
NOT_ENABLED = "未启用"
NO_DATA = "无数据"

# Row colours of the files, the same bands as the page's CSS classes (band-good / -fair / -poor).
BAND_FILLS = {"good": (212, 237, 218), "fair": (255, 243, 205), "poor": (248, 215, 218)}


def percent(ratio: float | None) -> str:
    """A ratio as every report prints it: one decimal, e.g. 87.5%."""
    return "—" if ratio is None else f"{ratio * 100:.1f}%"


def legend_text() -> str:
    return "颜色标准：" + "；".join(f"{'绿色' if k == 'good' else '黄色' if k == 'fair' else '红色'}为{label}"
                                  for k, label in monitor.BAND_LABELS.items()) + "。"


# --- month and quarter -------------------------------------------------------------------------

def summary_row(report: monitor.TenantReport) -> list:
    return [report.tenant.name, report.tenant.kind_label, report.applicable, report.current,
            percent(report.completeness), report.count("ok"), report.count("untracked"), report.count("late"),
            report.count("overdue"), report.count("due_soon"), report.count("empty"), report.count("on_application"),
            report.published_in_period, monitor.BAND_LABELS[report.band].split("（")[0]]


def summary_table(reports: list[monitor.TenantReport]) -> list[tuple[monitor.TenantReport, list]]:
    """(report, the cells of SUMMARY_HEADERS) per unit: what the page, CSV, .xlsx and PDF show."""
    return [(r, summary_row(r)) for r in reports]


def totals(reports: list[monitor.TenantReport]) -> dict:
    applicable = sum(r.applicable for r in reports)
    current = sum(r.current for r in reports)
    return {"units": len(reports), "applicable": applicable, "current": current,
            "completeness": current / applicable if applicable else 1.0,
            "overdue": sum(r.count("overdue") for r in reports), "late": sum(r.count("late") for r in reports),
            "due_soon": sum(r.count("due_soon") for r in reports),
            "on_application": sum(r.count("on_application") for r in reports),
            "published": sum(r.published_in_period for r in reports)}


def totals_text(reports: list[monitor.TenantReport], period: monitor.Period) -> str:
    t = totals(reports)
    return (f"{period.label}：{t['units']} 个单位，适用事项 {t['applicable']} 个，已公开 {t['current']} 个"
            f"（完整率 {percent(t['completeness'])}），逾期 {t['overdue']} 个，超时 {t['late']} 个，"
            f"即将到期 {t['due_soon']} 个，依申请公开事项 {t['on_application']} 个（不计入完整率），"
            f"本期发布 {t['published']} 条。")


def problem_rows(reports: list[monitor.TenantReport]) -> list[list]:
    rows = []
    for r in reports:
        for s in r.problems:
            text = s.detail + (monitor.PROVISIONAL_MARK if s.provisional else "")
            text += "".join(f"\n·“{f.title}”{f.text}" for f in s.findings if f.record_id)
            rows.append([r.tenant.name, s.item.name, s.item.time_limit, s.label,
                         s.due.isoformat() if s.due else "", text])
    return rows


def rules_text() -> str:
    return ("状态口径：逾期＝应公开而超过期限仍未公开；超时＝已公开但晚于期限（或公开期少于规定）；"
            f"即将到期＝尚未公开，距期限不超过 {monitor.DUE_SOON_WORKDAYS} 个工作日；按时＝在期限内公开；"
            "无固定时限＝已公开、没有专门时限的事项（按条例二十个工作日核查，超过的计为超时）；"
            "依申请公开事项不计入完整率。定期公开事项按报告期内的每一期（月、季、年）分别核查，"
            "每期以其自身期限为准，任何一期未公开即为逾期；公开及时率中，定期公开事项按“按时公开期数÷应公开期数”计。")


def title_of(root: Tenant, period: monitor.Period) -> str:
    return f"{root.name}{period.label}政务公开监测{period.report_name}"


def period_xlsx(root: Tenant, reports: list[monitor.TenantReport], period: monitor.Period):
    wb = new_workbook()
    ws = wb.create_sheet("汇总")
    append_rows(ws, [[title_of(root, period)], [totals_text(reports, period)], [legend_text()], [], SUMMARY_HEADERS])
    header_row = ws.max_row
    for r, cells in summary_table(reports):
        cells = list(cells)
        cells[4] = round(r.completeness, 4)   # the ratio as a number the spreadsheet can sum
        append_rows(ws, [cells])
        ws.cell(ws.max_row, 5).number_format = "0.0%"
        _fill_row(ws, ws.max_row, len(cells), r.band)
    _bold(ws, header_row)
    append_rows(ws, [[], [rules_text()]])
    problems = wb.create_sheet("问题事项")
    append_rows(problems, [PROBLEM_HEADERS] + problem_rows(reports))
    _bold(problems, 1)
    _widths(ws, [16, 8, 10, 8, 10, 8, 12, 8, 8, 10, 10, 14, 10, 8])
    _widths(problems, [16, 30, 30, 10, 12, 70])
    return wb


def period_pdf(root: Tenant, reports: list[monitor.TenantReport], period: monitor.Period) -> bytes:
    doc = ReportDocument(title_of(root, period), landscape=True, author=root.name)
    doc.paragraph(totals_text(reports, period))
    doc.paragraph(legend_text())
    doc.table(SUMMARY_HEADERS, [cells for _, cells in summary_table(reports)],
              widths=[16, 8, 8, 7, 8, 6, 10, 6, 6, 8, 8, 10, 8, 6],
              fills=[BAND_FILLS[r.band] for r, _ in summary_table(reports)])
    doc.paragraph(rules_text(), size=9)
    rows = problem_rows(reports)
    if rows:
        doc.paragraph("问题事项", size=12, bold=True, height=8)
        doc.table(PROBLEM_HEADERS, rows, widths=[14, 24, 24, 8, 10, 50])
    return doc.output()


# --- year: the assessment ----------------------------------------------------------------------

def weights() -> dict[str, float]:
    """The weights of the four measures: CATALOG_ASSESSMENT_WEIGHTS ("completeness=40,...") from the
    configuration or the environment; a measure it leaves out keeps its default weight."""
    setting = current_app.config.get("CATALOG_ASSESSMENT_WEIGHTS") or os.environ.get("CATALOG_ASSESSMENT_WEIGHTS", "")
    out = dict(DEFAULT_WEIGHTS)
    if isinstance(setting, dict):
        items = setting.items()
    else:
        items = (part.split("=", 1) for part in str(setting).split(",") if "=" in part)
    for key, value in items:
        key = str(key).strip()
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if key in out and number >= 0:
            out[key] = number
    return out


@dataclass
class Assessment:
    tenant: Tenant
    report: monitor.TenantReport
    values: dict[str, float | None]       # measure → ratio (None: not measured for this unit)
    score: float | None                   # out of 100, over the measures present
    state: dict[str, str] = field(default_factory=dict)   # measure → "" or 未启用 for this unit

    @property
    def band(self) -> str:
        return monitor.band(None if self.score is None else self.score / 100)


def provided_components(tenants: list[Tenant], year: int) -> dict[int, dict[str, AssessmentComponent]]:
    """Per tenant id, the measures (key → component) the plugins enabled for that tenant provide:
    the hook is asked once per set of enabled plugins, with the tenants that share it."""
    registry = current_app.extensions["cms"]
    groups: dict[tuple[str, ...], list[Tenant]] = defaultdict(list)
    for t in tenants:
        groups[tuple(registry.enabled_names(t))].append(t)
    out = {}
    for group in groups.values():
        hook = registry.hook_for(group[0], "assessment_components")
        found = {c.key: c for c in collect(hook, tenants=group, year=year) if c.key in COMPONENTS}
        out.update({t.id: found for t in group})
    return out


def assess(tenants: list[Tenant], year: int, *, as_of=None) -> tuple[list[Assessment], dict[str, str], dict]:
    """(one Assessment per unit, the state of each measure over all units: "" when some unit has it,
    else 未启用, the weights). A unit whose plugins do not provide a measure has it 未启用 itself."""
    period = monitor.Period("year", year, 1)
    reports = monitor.evaluate(tenants, period=period, as_of=as_of)
    provided = provided_components(tenants, year)
    w = weights()
    out = []
    for r in reports:
        mine = provided.get(r.tenant.id, {})
        unit_state = {k: "" if k in CATALOG_MEASURES or k in mine else NOT_ENABLED for k in COMPONENTS}
        values = {"completeness": r.completeness if r.applicable else None, "timeliness": r.timeliness}
        for key in COMPONENTS:
            if key not in CATALOG_MEASURES:
                values[key] = mine[key].ratios.get(r.tenant.id) if key in mine else None
        present = [k for k in COMPONENTS if values[k] is not None and w[k] > 0]
        total = sum(w[k] for k in present)
        score = round(100 * sum(w[k] * values[k] for k in present) / total, 1) if total else None
        out.append(Assessment(r.tenant, r, values, score, unit_state))
    state = {k: "" if any(not a.state[k] for a in out) else NOT_ENABLED for k in COMPONENTS}
    return out, state, w


ASSESSMENT_HEADERS = ["单位", "类型"] + [COMPONENT_LABELS[k] for k in COMPONENTS] + ["得分", "等级"]


def assessment_table(rows: list[Assessment], state: dict[str, str]) -> list[tuple[Assessment, list]]:
    """(assessment, the cells of ASSESSMENT_HEADERS) per unit: the page, .xlsx and PDF show these.
    A measure is 未启用 where it is for every unit (`state`) or for that unit (`Assessment.state`)."""
    out = []
    for a in rows:
        cells = [a.tenant.name, a.tenant.kind_label]
        cells += [state[k] or a.state[k] or (NO_DATA if a.values[k] is None else percent(a.values[k]))
                  for k in COMPONENTS]
        cells += ["—" if a.score is None else f"{a.score:.1f}", monitor.BAND_LABELS[a.band].split("（")[0]
                  if a.score is not None else "—"]
        out.append((a, cells))
    return out


def weights_text(state: dict[str, str], w: dict) -> str:
    parts = [f"{COMPONENT_LABELS[k]} {w[k]:g}" + (f"（{NOT_ENABLED}）" if state[k] else "") for k in COMPONENTS]
    return ("权重：" + "，".join(parts) + "。得分＝各项比率按权重加权平均×100，只计本单位有数据且已启用的项目，"
            "未启用或无数据的项目不计分，其权重按比例分给其余项目。")


def assessment_title(root: Tenant, year: int) -> str:
    return f"{root.name}{year}年度政务公开年考核"


def assessment_xlsx(root: Tenant, year: int, rows: list[Assessment], state: dict, w: dict):
    wb = new_workbook()
    ws = wb.create_sheet("年考核")
    append_rows(ws, [[assessment_title(root, year)], [weights_text(state, w)], [legend_text()], [], ASSESSMENT_HEADERS])
    header_row = ws.max_row
    for a, cells in assessment_table(rows, state):
        cells = list(cells)
        for i, key in enumerate(COMPONENTS, start=2):
            if not (state[key] or a.state[key]) and a.values[key] is not None:
                cells[i] = round(a.values[key], 4)
        if a.score is not None:
            cells[6] = a.score
        append_rows(ws, [cells])
        for i, key in enumerate(COMPONENTS, start=3):
            ws.cell(ws.max_row, i).number_format = "0.0%"
        _fill_row(ws, ws.max_row, len(cells), a.band)
    _bold(ws, header_row)
    _widths(ws, [16, 8, 12, 12, 12, 16, 8, 8])
    return wb


def assessment_pdf(root: Tenant, year: int, rows: list[Assessment], state: dict, w: dict) -> bytes:
    doc = ReportDocument(assessment_title(root, year), author=root.name)
    doc.paragraph(weights_text(state, w))
    doc.paragraph(legend_text())
    table = assessment_table(rows, state)
    doc.table(ASSESSMENT_HEADERS, [cells for _, cells in table], widths=[18, 8, 11, 11, 11, 13, 8, 8],
              fills=[BAND_FILLS.get(a.band) for a, _ in table])
    doc.paragraph(rules_text(), size=9)
    return doc.output()


def _fill_row(ws, row: int, columns: int, band: str) -> None:
    rgb = BAND_FILLS.get(band)
    if rgb is None:
        return
    fill = PatternFill("solid", fgColor="%02X%02X%02X" % rgb)
    for column in range(1, columns + 1):
        ws.cell(row, column).fill = fill


def _bold(ws, row: int) -> None:
    for cell in ws[row]:
        cell.font = Font(bold=True)


def _widths(ws, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
