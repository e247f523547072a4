"""/api/v1/tenants/<slug>/disclosure: the published annual reports and the county's 政策文件库, as JSON
(public, no token)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import Blueprint, current_app, g, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from core.plugin_api import ApiError, db, operation, page_args
from plugins.disclosure import policies as library
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


# --- the 政策文件库 ------------------------------------------------------------------------------

class PolicyReading(BaseModel):
    title: str
    url: str
    form: str = Field(description="解读形式：文字解读、图解、问答、音视频、媒体解读")


class PolicyOut(BaseModel):
    model_config = ConfigDict(title="PolicyDocument")
    ref: str = Field(description="来源插件中的稳定标识，如 catalog:record:12、gazette:article:5")
    plugin: str
    unit: str = Field(description="发布单位（县或乡镇、街道；村的文件计入其乡镇）的标识")
    unit_name: str
    title: str
    url: str
    doc_no: str
    issuing_body: str
    doc_type: Literal["normative", "policy"] = Field(description="normative 规范性文件；policy 其他政策文件")
    written_date: date | None = Field(description="成文日期（没有时为发布日期）")
    published_at: datetime | None
    validity: Literal["valid", "expired", "repealed", "amended"] = Field(
        description="有效、失效、废止、已修改；有效期已过的文件为失效")
    validity_date: date | None
    topic: str
    replaced_by: dict | None = Field(description="替代或修改它的文件：{title, url}")
    interpretations: list[PolicyReading]
    also: list[dict] = Field(description="同一文件的其他发布位置：[{label, url}]")


class FacetOption(BaseModel):
    value: str
    label: str
    count: int


class PolicyPage(BaseModel):
    model_config = ConfigDict(title="PolicyDocumentPage")
    items: list[PolicyOut]
    page: int
    per_page: int
    total: int
    total_documents: int = Field(description="文件库的全部文件数（未检索、未筛选）")
    facets: dict[str, list[FacetOption]] = Field(
        description="unit、issuer、year、doc_type、validity、topic：每个选项在其他条件下的文件数")


def _policy(e) -> dict:
    d = e.doc
    return {"ref": d.ref, "plugin": d.plugin, "unit": e.unit.slug, "unit_name": e.unit.name, "title": d.title,
            "url": d.url, "doc_no": d.doc_no, "issuing_body": d.issuing_body,
            "doc_type": d.doc_type if d.doc_type in library.TYPE_LABELS else "policy", "written_date": e.date,
            "published_at": d.published_at, "validity": e.validity,
            "validity_date": d.validity_date if isinstance(d.validity_date, date) else None, "topic": d.topic or "",
            "replaced_by": {"title": d.replaced_by[0], "url": d.replaced_by[1]} if d.replaced_by else None,
            "interpretations": [{"title": r[0], "url": r[1], "form": r[2] if len(r) > 2 else ""}
                                for r in d.interpretations],
            "also": [{"label": label, "url": url} for label, url in e.also]}


@bp.get("/policies")
@operation("政策文件库：县及各乡镇（街道）已发布的规范性文件和其他政策文件（新的在前），与网页相同的检索和筛选；"
           "乡镇的地址给出县文件库中该乡镇的文件", response=PolicyPage, tags=TAGS, errors=(400, 404),
           query={"q": {"type": "string", "maxLength": 100, "description": "标题或文号（括号写法不限；省略年份的文号查各年）"},
                  "unit": {"type": "string", "description": "发布单位标识（仅县的地址）"},
                  "issuer": {"type": "string"}, "year": {"type": "integer", "description": "成文年份"},
                  "type": {"type": "string", "enum": list(library.TYPE_LABELS)},
                  "validity": {"type": "string", "enum": list(library.VALIDITY_LABELS)},
                  "topic": {"type": "string"},
                  "page": {"type": "integer", "minimum": 1},
                  "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "default": library.PER_PAGE}})
def policies():
    args = request.args
    if args.get("type") and args["type"] not in library.TYPE_LABELS:
        raise ApiError("type 只能是 normative 或 policy。", 400)
    if args.get("validity") and args["validity"] not in library.VALIDITY_LABELS:
        raise ApiError("validity 只能是 valid、expired、repealed 或 amended。", 400)
    district = g.tenant.root
    if district.id != g.tenant.id and not current_app.extensions["cms"].is_enabled(district, "disclosure"):
        raise ApiError("没有这个文件库。", 404)
    query = library.LibraryQuery.from_args(args)
    if district.id != g.tenant.id:
        query.unit = g.tenant.slug
    page, per_page = page_args(library.PER_PAGE)
    result = library.search(district, query, page, per_page)
    return jsonify(PolicyPage(
        items=[PolicyOut(**_policy(e)) for e in result.page.items], page=result.page.page, per_page=per_page,
        total=result.page.total, total_documents=result.total_documents,
        facets={name: [FacetOption(value=str(v), label=label, count=n) for v, label, n in options]
                for name, options in result.facets.items()}).model_dump(mode="json"))
