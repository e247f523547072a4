"""/api/v1/tenants/<slug>/disclosure: the published annual reports, as JSON (public, no token)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Blueprint, g, jsonify, url_for
from pydantic import BaseModel, ConfigDict, Field

from core.plugin_api import ApiError, db, operation
from plugins.disclosure import services, tables
from plugins.disclosure.models import AnnualReport

bp = Blueprint("disclosure_api", __name__)
TAGS = ("disclosure",)


class ReportSummary(BaseModel):
    model_config = ConfigDict(title="AnnualReportSummary")
    id: int
    year: int
    version: int = Field(description="版本号；更正后的报告为新版本，原版本仍可查阅")
    status: Literal["published", "superseded"]
    title: str
    published_on: date | None
    url: str
    pdf_url: str
    xlsx_url: str


class SectionThreeRow(BaseModel):
    key: str
    label: str
    level: int
    counts: dict[str, int]


class ReportOut(ReportSummary):
    model_config = ConfigDict(title="AnnualReport")
    correction_note: str
    supersedes: int | None
    overview: str = Field(description="一、总体情况（纯文本，空行分段）")
    proactive: dict = Field(description="二、主动公开政府信息情况：rules（规章）、normative（行政规范性文件）各 issued / "
                                        "repealed / in_force；licensing、penalty、coercion 本年处理决定数量")
    fees_wan: str = Field(description="二、第二十条第（八）项 行政事业性收费：本年收费金额（万元，4 位小数）")
    applications: list[SectionThreeRow] = Field(description="三、收到和处理政府信息公开申请情况")
    applications_balanced: bool = Field(description="一 + 二 = 三 + 四 是否在每一列成立")
    applications_check: str
    appeals: dict = Field(description="四、行政复议、行政诉讼：reconsideration、direct、after_reconsideration 各 upheld / "
                                      "corrected / other / pending / total")
    problems: str = Field(description="五、存在的主要问题及改进情况")
    other_matters: str = Field(description="六、其他需要报告的事项")


def _summary(r: AnnualReport) -> dict:
    return {"id": r.id, "year": r.year, "version": r.version, "status": r.status, "title": r.title,
            "published_on": r.published_on, "url": url_for("disclosure.report", report_id=r.id, _external=True),
            "pdf_url": url_for("disclosure.report_pdf", report_id=r.id, _external=True),
            "xlsx_url": url_for("disclosure.report_xlsx", report_id=r.id, _external=True)}


@bp.get("/reports")
@operation("已发布的政府信息公开工作年度报告（每年当前版本，新的在前）", response=ReportSummary, response_list=True,
           tags=TAGS, errors=(404,))
def reports():
    return jsonify([ReportSummary(**_summary(r)).model_dump(mode="json") for r in services.published_reports(g.tenant)])


@bp.get("/reports/<int:report_id>")
@operation("一份已发布的年度报告（含已被更正版本取代的原版本）：六个部分的文字和表格", response=ReportOut, tags=TAGS,
           errors=(404,))
def report(report_id: int):
    r = db.session.get(AnnualReport, report_id)
    if r is None or r.tenant_id != g.tenant.id or not r.is_public:
        raise ApiError("没有这份年度报告。", 404)
    balanced, check = services.check(r)
    return jsonify(ReportOut(
        **_summary(r), correction_note=r.correction_note, supersedes=r.supersedes_id, overview=r.overview,
        proactive=r.proactive or {}, fees_wan=services.wan(r.fees_yuan),
        applications=[SectionThreeRow(key=k, label=label, level=level, counts={c: int(n) for c, n in (counts or {}).items()})
                      for k, label, level, counts in (r.applications or {}).get("rows", [])],
        applications_balanced=balanced, applications_check=check, appeals=tables.appeals_total(r),
        problems=r.problems, other_matters=r.other_matters).model_dump(mode="json"))
