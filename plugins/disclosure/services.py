"""The 政府信息公开工作年度报告: generated from the year's figures, edited by the office, reviewed by a
second person, published by its due date, frozen once published and corrected by a new version.

Where the figures come from (never an import of another plugin):
- 二 第二十条第（一）项 (规章, 行政规范性文件): the `proactive_disclosure_statistics` hook (the catalog
  counts its records); 第（五）、（六）、（八）项 are entered by the office;
- 三 and 四: the `application_statistics` hook (the applications plugin), snapshotted into the report
  when it is generated or refreshed, so a published report never changes under its readers;
- 四 also takes the office's cases outside the applications' records (appeals_extra);
- 六: the 信息处理费 charged in the year, from the same hook.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import func, select

from core.plugin_api import (AccessDenied, audit, china_today, Conflict, db, DomainError, has_permission,
                             Permission, require_permission, Tenant, utcnow)
from plugins.disclosure.models import (AnnualReport, APPEAL_GROUPS, APPEAL_RESULTS, DECISION_ROWS, DOC_COLUMNS,
                                       DOC_ROWS)

TENANT_KINDS = ("district", "town")
FIRST_YEAR = 2008                    # the first year of reports (条例 2008)
TEXT_MAX = 20000
NUMBER_MAX = 10_000_000
FEE_RE = re.compile(r"^\d{1,8}(\.\d{1,4})?$")
FROZEN = "已发布的年度报告不能修改；如需更正，请在报告页面点击“更正”，生成新版本并写明更正说明，原版本仍可查阅。"


def registry():
    return current_app.extensions["cms"]


# --- due dates (条例 第四十九条、第五十条) ----------------------------------------------------------

def due_on(tenant: Tenant, year: int) -> date:
    """Towns (and departments) by 31 January, the county government by 31 March, of the next year."""
    return date(year + 1, 3, 31) if tenant.kind == "district" else date(year + 1, 1, 31)


def report_year(as_of: date) -> int:
    """The year whose report is due in the year of `as_of`."""
    return as_of.year - 1


# --- reading ---------------------------------------------------------------------------------------

def reports_of(tenant: Tenant) -> list[AnnualReport]:
    return list(db.session.scalars(select(AnnualReport).where(AnnualReport.tenant_id == tenant.id)
                                   .order_by(AnnualReport.year.desc(), AnnualReport.version.desc())))


def versions_of(report: AnnualReport) -> list[AnnualReport]:
    return list(db.session.scalars(select(AnnualReport).where(
        AnnualReport.tenant_id == report.tenant_id, AnnualReport.year == report.year)
        .order_by(AnnualReport.version.desc())))


def published_reports(tenant: Tenant) -> list[AnnualReport]:
    """The public's list: the published version of each year, newest year first."""
    return list(db.session.scalars(select(AnnualReport).where(
        AnnualReport.tenant_id == tenant.id, AnnualReport.status == "published").order_by(AnnualReport.year.desc())))


def public_versions(report: AnnualReport) -> list[AnnualReport]:
    return [r for r in versions_of(report) if r.is_public]


def latest(tenant: Tenant, year: int) -> AnnualReport | None:
    return db.session.scalar(select(AnnualReport).where(AnnualReport.tenant_id == tenant.id, AnnualReport.year == year)
                             .order_by(AnnualReport.version.desc()).limit(1))


# --- the figures -----------------------------------------------------------------------------------

def _zero_appeals() -> dict:
    return {g: {r: 0 for r, _ in APPEAL_RESULTS} for g, _ in APPEAL_GROUPS}


def _zero_docs() -> dict:
    return {row: {c: 0 for c, _ in DOC_COLUMNS} for row, _ in DOC_ROWS}


def application_snapshot(tenant: Tenant, year: int) -> tuple[dict, dict]:
    """Sections 三 and 四 as the application_statistics hook answers them (from a plugin enabled
    for the tenant), as plain JSON; zeros, marked unavailable, when no plugin answers."""
    stats = registry().hook_for(tenant, "application_statistics")(tenant=tenant, year=year)
    if stats is None:
        from plugins.disclosure.tables import EMPTY_SECTION_THREE
        return EMPTY_SECTION_THREE(), _zero_appeals()
    three = {"available": True,
             "columns": [list(c) for c in stats.columns],
             "rows": [[r.key, r.label, r.level, dict(r.counts)] for r in stats.rows],
             "anomalies": list(stats.anomalies)}
    appeals = _zero_appeals()
    for group, results in (stats.appeals or {}).items():
        if group in appeals:
            for key, _ in APPEAL_RESULTS:
                appeals[group][key] = int(results.get(key, 0))
    return three, appeals


def fees_charged(tenant: Tenant, year: int) -> int:
    """信息处理费 charged in the year (yuan), as the application_statistics hook reports it."""
    stats = registry().hook_for(tenant, "application_statistics")(tenant=tenant, year=year)
    return int(getattr(stats, "fees_charged_yuan", 0) or 0) if stats is not None else 0


def proactive_figures(tenant: Tenant, year: int) -> dict | None:
    """第二十条第（一）项 from the proactive_disclosure_statistics hook, or None when no plugin answers."""
    answer = registry().hook_for(tenant, "proactive_disclosure_statistics")(tenant=tenant, year=year)
    if not answer:
        return None
    docs = _zero_docs()
    for row, _ in DOC_ROWS:
        for column, _ in DOC_COLUMNS:
            docs[row][column] = int((answer.get(row) or {}).get(column, 0) or 0)
    return docs


def documents_published(tenant: Tenant, year: int) -> int | None:
    """How many documents the tenant published in the year, from section 二's figures (制发件数);
    None when no plugin answers."""
    docs = proactive_figures(tenant, year)
    return None if docs is None else sum(docs[row]["issued"] for row, _ in DOC_ROWS)


def draft_overview(tenant: Tenant, year: int, report: AnnualReport) -> str:
    """A starting draft of 一、总体情况 from the year's figures; the office rewrites it."""
    from plugins.disclosure.tables import section_three_total
    lines = [f"{year}年，{tenant.name}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，"
             "围绕主动公开、依申请公开、政府信息管理、平台建设和监督保障等方面推进政府信息公开工作。"]
    docs = report.proactive or {}
    issued = sum(int((docs.get(row) or {}).get("issued", 0)) for row, _ in DOC_ROWS)
    if report.proactive_source == "computed":
        lines.append(f"（一）主动公开。全年制发规章和行政规范性文件 {issued} 件，通过政府信息公开专栏主动公开。")
    else:
        lines.append("（一）主动公开。（请填写本年主动公开政府信息的情况。）")
    if report.applications.get("available"):
        new = section_three_total(report.applications, "new")
        carried = section_three_total(report.applications, "carried_in")
        done = section_three_total(report.applications, "results_total")
        lines.append(f"（二）依申请公开。全年新收政府信息公开申请 {new} 件，上年结转 {carried} 件，"
                     f"办结 {done} 件，均在法定期限内依法作出答复（请核实）。")
    else:
        lines.append("（二）依申请公开。（请填写本年依申请公开的情况。）")
    lines += ["（三）政府信息管理。（请填写政府信息公开审查、动态更新等情况。）",
              "（四）平台建设。（请填写政府网站、政务新媒体等公开平台的建设情况。）",
              "（五）监督保障。（请填写工作机制、培训、考核等情况。）"]
    return "\n\n".join(lines)


def other_matters_draft(report: AnnualReport) -> str:
    fee = report.info_fees_yuan
    charged = (f"本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费 {fee} 元。" if fee
               else "本年度未收取信息处理费。")
    return charged + "\n\n（其他需要报告的事项。）"


def _compute(report: AnnualReport) -> list[str]:
    """Take the computed figures into the report; what was taken, for the message."""
    tenant = report.tenant
    said = []
    report.applications, report.appeals = application_snapshot(tenant, report.year)
    said.append("第三、四部分已按依申请公开记录重新统计" if report.applications.get("available")
                else "本单位未启用依申请公开，第三、四部分为零")
    report.info_fees_yuan = fees_charged(tenant, report.year)
    docs = proactive_figures(tenant, report.year)
    proactive = dict(report.proactive or {})
    if docs is not None:
        proactive.update(docs)
        report.proactive_source = "computed"
        said.append("第二部分第（一）项已按公开目录中的文件重新统计")
    else:
        for row, counts in _zero_docs().items():
            proactive.setdefault(row, counts)
        report.proactive_source = report.proactive_source or "entered"
    for key, _, _ in DECISION_ROWS:
        proactive.setdefault(key, 0)
    report.proactive = proactive
    report.appeals_extra = report.appeals_extra or _zero_appeals()
    report.computed_at = utcnow()
    return said


# --- policies --------------------------------------------------------------------------------------

def _wrote(actor, report: AnnualReport) -> bool:
    return getattr(actor, "id", None) in {report.created_by_id, report.last_edited_by_id} - {None}


def may_edit(actor, report: AnnualReport) -> bool:
    return report.status == "draft" and has_permission(actor, Permission.CONTENT_EDIT, report.tenant)


def may_review(actor, report: AnnualReport) -> bool:
    """A reviewer who neither generated nor last changed the draft (the second person)."""
    if report.status != "draft" or not has_permission(actor, Permission.CONTENT_PUBLISH, report.tenant):
        return False
    return getattr(actor, "is_superadmin", False) or not _wrote(actor, report)


def may_publish(actor, report: AnnualReport) -> bool:
    return report.status == "reviewed" and has_permission(actor, Permission.CONTENT_PUBLISH, report.tenant)


def _editable(actor, report: AnnualReport) -> None:
    if report.is_public:
        require_permission(actor, Permission.CONTENT_VIEW, report.tenant)
        raise Conflict(FROZEN)
    require_permission(actor, Permission.CONTENT_EDIT, report.tenant)
    if report.status == "reviewed":
        raise Conflict("已审核的年度报告不能修改；如需修改，请先“退回修改”。")


# --- actions ---------------------------------------------------------------------------------------

def generate(actor, tenant: Tenant, year: int) -> AnnualReport:
    """A year's first draft, with the computed tables and a starting text."""
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    if tenant.kind not in TENANT_KINDS:
        raise DomainError("只有县（区）和乡镇（街道）编制政府信息公开工作年度报告。")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("请选择年度。", field="year") from None
    if not FIRST_YEAR <= year <= china_today().year:
        raise DomainError(f"年度应在 {FIRST_YEAR} 年至今年之间。", field="year")
    if latest(tenant, year) is not None:
        raise Conflict(f"{year} 年的年度报告已经生成，请在列表中打开它。")
    report = AnnualReport(tenant_id=tenant.id, tenant=tenant, year=year, version=1, status="draft",
                          created_by_id=getattr(actor, "id", None), last_edited_by_id=getattr(actor, "id", None))
    db.session.add(report)
    _compute(report)
    report.overview = draft_overview(tenant, year, report)
    report.problems = "（请填写本年政府信息公开工作存在的主要问题及改进情况。）"
    report.other_matters = other_matters_draft(report)
    db.session.flush()
    audit.record("disclosure.report.generate", target=report, actor=actor, summary=f"生成{year}年政府信息公开工作年度报告草稿")
    return report


def refresh(actor, report: AnnualReport) -> str:
    """Recompute the tables from the records (the office's own figures are kept)."""
    _editable(actor, report)
    said = _compute(report)
    report.last_edited_by_id = getattr(actor, "id", None)
    audit.record("disclosure.report.refresh", target=report, actor=actor, summary=f"重新统计{report.year}年年度报告的表格")
    return "；".join(said) + "。"


def _count(data: dict, key: str, label: str) -> int:
    value = data.get(key)
    if value in (None, ""):
        return 0
    try:
        number = int(str(value).strip())
    except ValueError:
        raise DomainError(f"“{label}”应为不小于 0 的整数。", field=key) from None
    if str(value).strip().startswith("-") or number < 0:
        raise DomainError(f"“{label}”应为不小于 0 的整数。", field=key)
    if number > NUMBER_MAX:
        raise DomainError(f"“{label}”数值过大。", field=key)
    return number


def parse_fee(value) -> int:
    """万元 with up to 4 decimals (1 元 precision) → yuan."""
    text = str(value if value is not None else "").strip().replace(",", "")
    if text == "":
        return 0
    if not FEE_RE.match(text):
        raise DomainError("本年收费金额以万元为单位，应为不小于 0 的数，最多 4 位小数（如 12.3456）。", field="fees_wan")
    try:
        return int(Decimal(text) * 10000)
    except InvalidOperation:
        raise DomainError("本年收费金额格式不正确。", field="fees_wan") from None


def wan(yuan: int) -> str:
    """Yuan shown in 万元 with 4 decimals."""
    return f"{Decimal(int(yuan or 0)) / Decimal(10000):.4f}"


def _text(data: dict, key: str, label: str) -> str:
    text = str(data.get(key) or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(f"“{label}”不能超过 {TEXT_MAX} 个字。", field=key)
    return text


def update(actor, report: AnnualReport, data: dict) -> list[str]:
    """What the office writes: the texts, section 二's figures, the fee, section 四's other cases;
    only the keys given are changed."""
    _editable(actor, report)
    values = {key: _text(data, key, label) for key, label in (
        ("overview", "一、总体情况"), ("problems", "五、存在的主要问题及改进情况"),
        ("other_matters", "六、其他需要报告的事项")) if key in data}
    if "fees_wan" in data:
        values["fees_yuan"] = parse_fee(data.get("fees_wan"))
    proactive = dict(report.proactive or {})
    docs_entered = False
    for row, row_label in DOC_ROWS:
        counts = dict(proactive.get(row) or {})
        for column, column_label in DOC_COLUMNS:
            key = f"{row}_{column}"
            if key in data:
                number = _count(data, key, f"{row_label}·{column_label}")
                docs_entered |= number != int(counts.get(column, 0))
                counts[column] = number
        proactive[row] = counts
    for key, _, label in DECISION_ROWS:
        if key in data:
            proactive[key] = _count(data, key, f"{label}·本年处理决定数量")
    extra = {g: dict((report.appeals_extra or {}).get(g) or {}) for g, _ in APPEAL_GROUPS}
    for group, group_label in APPEAL_GROUPS:
        for result, result_label in APPEAL_RESULTS:
            key = f"extra_{group}_{result}"
            if key in data:
                extra[group][result] = _count(data, key, f"{group_label}·{result_label}（记录以外的案件）")
    changed = [k for k, v in values.items() if getattr(report, k) != v]
    for key in changed:
        setattr(report, key, values[key])
    if proactive != report.proactive:
        report.proactive = proactive
        changed.append("proactive")
        if docs_entered:
            report.proactive_source = "entered"
    if extra != report.appeals_extra:
        report.appeals_extra = extra
        changed.append("appeals_extra")
    if changed:
        report.last_edited_by_id = getattr(actor, "id", None)
        audit.record("disclosure.report.update", target=report, actor=actor,
                     summary=f"修改{report.year}年年度报告：{'、'.join(changed)}")
    return changed


def check(report: AnnualReport) -> tuple[bool, str]:
    from plugins.disclosure.tables import check_text, is_balanced
    return is_balanced(report.applications), check_text(report.applications)


def _publishable(report: AnnualReport) -> None:
    balanced, text = check(report)
    if not balanced:
        raise DomainError("第三部分的数据不满足“第一项加第二项之和等于第三项加第四项之和”，不能发布："
                          f"{text}请先核对依申请公开的记录，再点击“重新统计”。")
    if not report.overview.strip():
        raise DomainError("“一、总体情况”不能为空。")


def review(actor, report: AnnualReport) -> str:
    require_permission(actor, Permission.CONTENT_PUBLISH, report.tenant)
    if report.status != "draft":
        raise Conflict("只有草稿可以审核。")
    if not may_review(actor, report):
        raise AccessDenied("年度报告须由生成或最后修改它以外的另一位审核人员审核。")
    _publishable(report)
    report.status, report.reviewed_by_id, report.reviewed_at = "reviewed", getattr(actor, "id", None), utcnow()
    report.reviewed_by_name = getattr(actor, "label", "") or getattr(actor, "username", "")
    audit.record("disclosure.report.review", target=report, actor=actor, summary=f"审核{report.year}年年度报告（第 {report.version} 版）")
    return "已审核，可以发布。"


def reopen(actor, report: AnnualReport) -> str:
    """A reviewed report goes back to the draft (to be changed, then reviewed again)."""
    if not (has_permission(actor, Permission.CONTENT_EDIT, report.tenant)
            or has_permission(actor, Permission.CONTENT_PUBLISH, report.tenant)):
        require_permission(actor, Permission.CONTENT_EDIT, report.tenant)
    if report.status != "reviewed":
        raise Conflict("只有已审核、尚未发布的年度报告可以退回修改。")
    report.status, report.reviewed_by_id, report.reviewed_at, report.reviewed_by_name = "draft", None, None, ""
    audit.record("disclosure.report.reopen", target=report, actor=actor, summary=f"退回修改{report.year}年年度报告")
    return "已退回修改。修改后须重新审核。"


def publish(actor, report: AnnualReport) -> str:
    require_permission(actor, Permission.CONTENT_PUBLISH, report.tenant)
    if report.is_public:
        raise Conflict("这份年度报告已经发布。")
    if report.status != "reviewed":
        raise Conflict("年度报告须先经另一位审核人员审核，才能发布。")
    _publishable(report)
    today = china_today()
    report.status, report.published_at, report.published_on = "published", utcnow(), today
    if report.supersedes_id:
        old = db.session.get(AnnualReport, report.supersedes_id)
        if old is not None and old.status == "published":
            old.status = "superseded"
    audit.record("disclosure.report.publish", target=report, actor=actor,
                 summary=f"发布{report.year}年政府信息公开工作年度报告（第 {report.version} 版）")
    due = due_on(report.tenant, report.year)
    late = f"（晚于 {due.isoformat()} 的法定期限）" if today > due and report.version == 1 else ""
    return f"已发布{late}。"


def correct(actor, report: AnnualReport, note: str) -> AnnualReport:
    """A correction of a published report: a new draft version with the note; the published one
    stays readable (and shown) until the correction is published."""
    require_permission(actor, Permission.CONTENT_EDIT, report.tenant)
    if report.status != "published":
        raise Conflict("只有当前已发布的年度报告可以更正。")
    note = (note or "").strip()
    if not note:
        raise DomainError("请写明更正说明（更正了什么、为什么）。", field="note")
    if len(note) > 2000:
        raise DomainError("更正说明不能超过 2000 个字。", field="note")
    newest = latest(report.tenant, report.year)
    if newest is not None and newest.id != report.id:
        raise Conflict(f"已有第 {newest.version} 版更正稿，请在其中修改。")
    copy = AnnualReport(
        tenant_id=report.tenant_id, tenant=report.tenant, year=report.year, version=report.version + 1, status="draft",
        correction_note=note, overview=report.overview, problems=report.problems, other_matters=report.other_matters,
        proactive=dict(report.proactive or {}), proactive_source=report.proactive_source, fees_yuan=report.fees_yuan,
        applications=dict(report.applications or {}), appeals=dict(report.appeals or {}),
        appeals_extra=dict(report.appeals_extra or {}), info_fees_yuan=report.info_fees_yuan,
        computed_at=report.computed_at, supersedes_id=report.id,
        created_by_id=getattr(actor, "id", None), last_edited_by_id=getattr(actor, "id", None))
    db.session.add(copy)
    db.session.flush()
    audit.record("disclosure.report.correct", target=copy, actor=actor,
                 summary=f"更正{report.year}年年度报告：生成第 {copy.version} 版草稿。更正说明：{note}")
    return copy


# --- the district's view ---------------------------------------------------------------------------

def units_of(district: Tenant) -> list[Tenant]:
    """The district and its towns (those that report to it), in tree order."""
    return [district] + [t for t in district.children if t.kind == "town" and t.is_active]


def count_reports(year: int, tenant_ids: list[int]) -> dict:
    rows = db.session.execute(select(AnnualReport.tenant_id, func.count()).where(
        AnnualReport.year == year, AnnualReport.tenant_id.in_(tenant_ids)).group_by(AnnualReport.tenant_id)).all()
    return dict(rows)


def unit_status(tenant: Tenant, year: int, reports: list[AnnualReport], today: date) -> dict:
    """One unit's line on the district's page: its newest version, the published one, due, late."""
    mine = sorted((r for r in reports if r.tenant_id == tenant.id), key=lambda r: r.version, reverse=True)
    published = next((r for r in mine if r.status == "published"), None)
    first_published = min((r.published_on for r in mine if r.published_on), default=None)
    due = due_on(tenant, year)
    return {"tenant": tenant, "latest": mine[0] if mine else None, "published": published, "due": due,
            "published_on": first_published,
            "late": published is None and today > due,
            "published_late": first_published is not None and first_published > due}


def _sum_into(total: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            _sum_into(total.setdefault(key, {}), value)
        elif isinstance(value, int) and not isinstance(value, bool):
            total[key] = total.get(key, 0) + value


def county_totals(reports: list[AnnualReport]) -> dict:
    """Sections 二, 三 and 四 summed over published reports (the current version of each unit)."""
    from plugins.disclosure.tables import EMPTY_SECTION_THREE, appeals_total
    proactive, fees, appeals = {}, 0, {}
    three = EMPTY_SECTION_THREE()
    rows = {r[0]: r for r in three["rows"]}
    for report in reports:
        _sum_into(proactive, {k: v for k, v in (report.proactive or {}).items()})
        fees += report.fees_yuan or 0
        _sum_into(appeals, appeals_total(report))
        for key, _, _, counts in (report.applications or {}).get("rows", []):
            if key in rows:
                target = rows[key][3]
                for column, n in (counts or {}).items():
                    target[column] = target.get(column, 0) + int(n)
    three["available"] = any((r.applications or {}).get("available") for r in reports)
    return {"proactive": proactive, "fees_yuan": fees, "applications": three, "appeals": appeals,
            "count": len(reports)}
