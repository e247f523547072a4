"""/api/v1/tenants/<slug>/decisions: the published decision lists and their items, as JSON
(public, no token). Drafts answer 404."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, g, jsonify, url_for
from pydantic import BaseModel, ConfigDict, Field

from core.plugin_api import ApiError, db, operation
from plugins.decisions import services
from plugins.decisions.models import DecisionItem, DecisionList

bp = Blueprint("decisions_api", __name__)
TAGS = ("decisions",)


class Document(BaseModel):
    ref: str = Field(description="共享文件标识，如 opinions:consultation:7、catalog:record:12")
    title: str
    doc_no: str
    url: str


class Stage(BaseModel):
    kind: str = Field(description="prepublic 预公开、hearing_notice 听证公告、hearing_record 听证会及听证笔录、expert 专家论证、"
                                  "risk 风险评估、legality 合法性审查、meeting 集体讨论决定、result 决策结果、followup 执行和评估")
    label: str
    date: date
    name: str = Field(description="会议名称（集体讨论决定）")
    text: str
    document: Document | None = Field(description="引用的意见征集或决策文件；已不公开时为 null")


class ItemSummary(BaseModel):
    model_config = ConfigDict(title="DecisionItemSummary")
    id: int
    number: int = Field(description="序号")
    name: str
    decision_type: str = Field(description="policy 重大公共政策、planning 重要规划、resources 自然资源和文化资源方面的重大公共政策和措施、"
                                           "project 重大公共建设项目、other 其他")
    decision_type_label: str
    unit: str = Field(description="承办单位")
    due_on: date = Field(description="计划完成时限")
    procedures: list[str] = Field(description="须履行的程序：participation 公众参与、hearing 听证、expert 专家论证、risk 风险评估、"
                                              "legality 合法性审查、collective 集体讨论决定")
    status: str = Field(description="active 有效、removed 已调整（调出目录）")
    removed_on: date | None
    removed_reason: str
    added_on: date | None = Field(description="目录发布后增加的事项的增加日期")
    progress: str = Field(description="年度完成情况：done 已完成、in_progress 推进中、空为未填写")
    progress_reason: str
    url: str


class ItemOut(ItemSummary):
    model_config = ConfigDict(title="DecisionItem")
    list_id: int
    summary: str
    stages: list[Stage]


class Change(BaseModel):
    kind: str = Field(description="add 增加事项、remove 调出事项、modify 调整事项")
    changed_on: date
    item_id: int | None
    item_name: str
    summary: str
    reason: str


class ListSummary(BaseModel):
    model_config = ConfigDict(title="DecisionListSummary")
    id: int
    year: int
    title: str
    approved_by: str
    approval_meeting: str
    approved_on: date | None
    published_on: date | None
    completion_published_on: date | None
    url: str


class ListOut(ListSummary):
    model_config = ConfigDict(title="DecisionList")
    intro: str
    completion_note: str
    items: list[ItemSummary]
    changes: list[Change]


def _list_summary(row: DecisionList) -> dict:
    return {"id": row.id, "year": row.year, "title": row.title, "approved_by": row.approved_by,
            "approval_meeting": row.approval_meeting, "approved_on": row.approved_on, "published_on": row.published_on,
            "completion_published_on": row.completion_published_on,
            "url": url_for("decisions.decision_list", list_id=row.id, _external=True)}


def _item_summary(item: DecisionItem) -> dict:
    return {"id": item.id, "number": item.number, "name": item.name, "decision_type": item.decision_type,
            "decision_type_label": item.type_label, "unit": item.unit, "due_on": item.due_on,
            "procedures": list(item.procedures or []), "status": item.status, "removed_on": item.removed_on,
            "removed_reason": item.removed_reason, "added_on": item.added_on,
            "progress": "done" if item.status == "active" and item.done else item.progress,
            "progress_reason": item.progress_reason, "url": url_for("decisions.item", decision_id=item.id, _external=True)}


@bp.get("/lists")
@operation("已发布的重大行政决策事项目录（新的年度在前）", response=ListSummary, response_list=True, tags=TAGS, errors=(404,))
def lists():
    return jsonify([ListSummary(**_list_summary(r)).model_dump(mode="json") for r in services.published_lists(g.tenant)])


@bp.get("/lists/<int:list_id>")
@operation("一份已发布的事项目录：事项（含已调整的）、调整记录", response=ListOut, tags=TAGS, errors=(404,))
def decision_list(list_id: int):
    row = db.session.get(DecisionList, list_id)
    if row is None or row.tenant_id != g.tenant.id or not row.is_public:
        raise ApiError("没有这份事项目录。", 404)
    return jsonify(ListOut(
        **_list_summary(row), intro=row.intro, completion_note=row.completion_note if row.completion_published_at else "",
        items=[ItemSummary(**_item_summary(i)) for i in row.items],
        changes=[Change(kind=c.kind, changed_on=c.changed_on, item_id=c.item_id, item_name=c.item_name,
                        summary=c.summary, reason=c.reason) for c in row.changes]).model_dump(mode="json"))


@bp.get("/items/<int:decision_id>")
@operation("一个已发布目录中的决策事项及其各环节", response=ItemOut, tags=TAGS, errors=(404,))
def item(decision_id: int):
    row = db.session.get(DecisionItem, decision_id)
    if row is None or row.tenant_id != g.tenant.id or not row.decision_list.is_public:
        raise ApiError("没有这个决策事项。", 404)
    from plugins.decisions.views import stage_view
    stages = []
    for group in stage_view(row):
        for record in group["records"]:
            s, doc = record["stage"], record["document"]
            stages.append(Stage(kind=s.kind, label=group["kind"].label, date=s.happened_on, name=s.name, text=s.text,
                                document=Document(ref=doc.ref, title=doc.title, doc_no=doc.doc_no, url=doc.url)
                                if doc else None))
    return jsonify(ItemOut(**_item_summary(row), list_id=row.list_id, summary=row.summary,
                           stages=stages).model_dump(mode="json"))
