"""Catalog API: public reads, and token-authenticated writes so a department's office system can
push and publish records the moment they are signed (实时推送)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import Blueprint, g, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from core.plugin_api import (api_user, ApiError, db, get_or_404, has_permission, Id, int_arg, operation,
                            page_args, paginate, Permission)
from plugins.catalog import services
from plugins.catalog.models import STATUS_LABELS, VALIDITY_LABELS, CatalogItem, Record

bp = Blueprint("catalog_api", __name__)
TAGS = ("catalog",)


class DomainOut(BaseModel):
    model_config = ConfigDict(title="CatalogDomain")
    code: str
    name: str
    kind: Literal["pilot", "statutory", "village", "custom"]
    reaches_town: bool
    levels: list[str]
    article: str = Field("", description="法定主动公开内容：《政府信息公开条例》的条、项")
    lead_departments: list[str]


class BasisRef(BaseModel):
    type: str
    title: str
    doc_no: str = ""


class ItemOut(BaseModel):
    model_config = ConfigDict(title="CatalogItem")
    id: int
    domain: str
    parent_id: int | None
    name: str
    content_elements: list[str]
    legal_basis: list[BasisRef]
    time_limit: str
    rule: dict
    responsible_body: str
    methods: list[str]
    channels: list[str]
    audience: str
    audience_note: str
    levels: list[str]
    applicable: bool
    not_applicable_reason: str
    source_id: int | None


class AttachmentRef(BaseModel):
    id: int
    filename: str
    url: str


class DocumentRefOut(BaseModel):
    model_config = ConfigDict(title="CatalogLinkedDocument")
    ref: str = Field(description="如 catalog:record:12、gazette:article:5")
    title: str
    doc_no: str = ""
    url: str = ""
    form: str = Field("", description="解读形式（仅解读）")


INTERP_FORM = Literal["", "text", "graphic", "qa", "media", "press"]
INTERP_FORM_TEXT = "政策解读的形式：空为普通信息，text 文字解读，graphic 图解，qa 问答，media 音视频，press 媒体解读"
INTERP_BY = Literal["", "department", "leader", "expert"]


class RecordOut(BaseModel):
    model_config = ConfigDict(title="CatalogRecord")
    id: int
    item_id: Id
    title: str
    summary: str
    body: str
    index_no: str | None
    doc_no: str
    doc_type: Literal["", "rule", "normative"]
    issuing_body: str
    written_date: date | None
    published_at: datetime | None
    effective_date: date | None
    expiry_date: date | None
    validity: Literal["valid", "expired", "repealed"]
    validity_date: date | None
    superseded_by: int | None
    disclosure: Literal["proactive", "on_request", "withheld"]
    status: Literal["draft", "submitted", "published"]
    url: str | None
    attachments: list[AttachmentRef]
    interp_form: INTERP_FORM = Field("", description=INTERP_FORM_TEXT)
    interp_url: str = ""
    interp_by_kind: INTERP_BY = ""
    interp_by_name: str = ""
    needs_interpretation: bool = False
    interprets: list[DocumentRefOut] = Field(default_factory=list, description="本解读所解读的文件（公开的）")
    interpretations: list[DocumentRefOut] = Field(default_factory=list, description="本文件已发布的解读")


class RecordPage(BaseModel):
    model_config = ConfigDict(title="CatalogRecordPage")
    items: list[RecordOut]
    page: int
    per_page: int
    total: int


DOC_TYPE_TEXT = ("文件类型（年度报告统计用）：空为其他，rule 规章，normative 行政规范性文件；"
                 "区县、乡镇没有规章制定权，不能选择 rule")


class RecordIn(BaseModel):
    model_config = ConfigDict(title="CatalogRecordInput", extra="forbid")
    item_id: Id
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field("", max_length=2000)
    body: str = Field("", max_length=500_000, description="HTML；保存时按统一白名单净化")
    doc_no: str = Field("", max_length=100)
    doc_type: Literal["", "rule", "normative"] = Field("", description=DOC_TYPE_TEXT)
    issuing_body: str = Field("", max_length=200)
    written_date: date | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    disclosure: Literal["proactive", "on_request", "withheld"] = "proactive"
    disclosure_reason: str = Field("", max_length=2000)
    attachment_ids: list[Id] = Field(default_factory=list, description="先用附件接口上传，再在此引用")
    interp_form: INTERP_FORM = Field("", description=INTERP_FORM_TEXT)
    interp_url: str = Field("", max_length=500, description="音视频、媒体解读的链接（http/https）")
    interp_by_kind: INTERP_BY = Field("", description="解读人：department 起草部门，leader 负责人，expert 专家")
    interp_by_name: str = Field("", max_length=100)
    needs_interpretation: bool = Field(False, description="需要同步发布解读的政策文件（规范性文件总是需要）")
    documents: list[str] = Field(default_factory=list, max_length=20,
                                 description="所解读的文件，如 catalog:record:12（本县范围内）")


class RecordPatch(BaseModel):
    model_config = ConfigDict(title="CatalogRecordPatch", extra="forbid")
    item_id: Id | None = None
    title: str | None = Field(None, min_length=1, max_length=300)
    summary: str | None = Field(None, max_length=2000)
    body: str | None = Field(None, max_length=500_000)
    doc_no: str | None = Field(None, max_length=100)
    doc_type: Literal["", "rule", "normative"] | None = Field(None, description=DOC_TYPE_TEXT)
    issuing_body: str | None = Field(None, max_length=200)
    written_date: date | None = None
    effective_date: date | None = None
    expiry_date: date | None = None
    disclosure: Literal["proactive", "on_request", "withheld"] | None = None
    disclosure_reason: str | None = Field(None, max_length=2000)
    attachment_ids: list[Id] | None = None
    interp_form: INTERP_FORM | None = Field(None, description=INTERP_FORM_TEXT)
    interp_url: str | None = Field(None, max_length=500)
    interp_by_kind: INTERP_BY | None = None
    interp_by_name: str | None = Field(None, max_length=100)
    needs_interpretation: bool | None = None
    documents: list[str] | None = Field(None, max_length=20)


class PublishIn(BaseModel):
    model_config = ConfigDict(title="CatalogPublishInput", extra="forbid")
    review_confirmed: bool = Field(description="已完成保密审查")
    with_interpretations: bool = Field(False, description="同时审核通过其待审核的解读")


class ReturnIn(BaseModel):
    model_config = ConfigDict(title="CatalogReturnInput", extra="forbid")
    note: str = Field(min_length=1, max_length=2000, description="退回原因（编辑将看到）")


class LapseIn(BaseModel):
    model_config = ConfigDict(title="CatalogValidityInput", extra="forbid")
    validity: Literal["valid", "expired", "repealed"]
    validity_date: date | None = Field(None, description="自何日起失效或废止，默认今天")
    superseded_by: Id | None = Field(None, description="替代它的、已发布的信息 id")


def item_out(item: CatalogItem) -> dict:
    return ItemOut(id=item.id, domain=item.domain_code, parent_id=item.parent_id, name=item.name,
                   content_elements=item.content_elements or [], legal_basis=item.legal_basis or [],
                   time_limit=item.time_limit, rule=item.rule or {}, responsible_body=item.responsible_body,
                   methods=item.methods or [], channels=item.channels or [], audience=item.audience,
                   audience_note=item.audience_note, levels=item.levels or [],
                   applicable=services.is_applicable(item, g.tenant), not_applicable_reason=item.not_applicable_reason,
                   source_id=item.source_id).model_dump(mode="json")


def _links(records) -> tuple[dict, dict]:
    """(解读 of each record, documents of each 解读) for a page of records: two lookups, not one per record."""
    records = list(records)
    interpretations = services.interpretations_of(g.tenant, [services.record_ref(r.id) for r in records if not r.interp_form])
    documents = services.documents_of(g.tenant, [r.id for r in records if r.interp_form])
    return interpretations, documents


def _ref_out(d) -> DocumentRefOut:
    url = request.host_url.rstrip("/") + d.url if d.url.startswith("/") else d.url
    return DocumentRefOut(ref=d.ref, title=d.title, doc_no=d.doc_no or "", url=url, form=d.form)


def record_out(r: Record, links: tuple[dict, dict] | None = None) -> dict:
    interpretations, documents = links if links is not None else _links([r])
    return RecordOut(
        id=r.id, item_id=r.item_id, title=r.title, summary=r.summary, body=r.body, index_no=r.index_no, doc_no=r.doc_no, doc_type=r.doc_type or "",
        issuing_body=r.issuing_body, written_date=r.written_date, published_at=r.published_at,
        effective_date=r.effective_date, expiry_date=r.expiry_date, validity=r.validity, validity_date=r.validity_date,
        superseded_by=r.superseded_by_id, disclosure=r.disclosure, status=r.status,
        url=url_for("catalog.record", record_id=r.id, _external=True) if r.is_public else None,
        attachments=[AttachmentRef(id=a.id, filename=a.filename,
                                   url=url_for("portal.attachment", token=a.token, name=a.filename, _external=True))
                     for a in r.attachments],
        interp_form=r.interp_form or "", interp_url=r.interp_url or "", interp_by_kind=r.interp_by_kind or "",
        interp_by_name=r.interp_by_name or "", needs_interpretation=bool(r.needs_interpretation),
        interprets=[_ref_out(d) for d in documents.get(r.id, [])],
        interpretations=[_ref_out(d) for d in interpretations.get(services.record_ref(r.id), [])]).model_dump(mode="json")


def _editor() -> bool:
    return has_permission(api_user(), Permission.CONTENT_VIEW, g.tenant)


def _record_for_api(record_id: int) -> Record:
    record = get_or_404(Record, record_id)
    if not record.is_public and not _editor():
        raise ApiError("不存在。", 404)
    return record


@bp.get("/domains")
@operation("本单位目录涉及的领域（类别）", response=DomainOut, response_list=True, tags=TAGS, errors=(404,))
def domains():
    codes = {i.domain_code for i in services.all_items(g.tenant)}
    return jsonify([DomainOut(code=d.code, name=d.name, kind=d.kind, reaches_town=d.reaches_town,
                              levels=list(d.levels), article=d.article, lead_departments=list(d.lead)).model_dump()
                    for d in services.domains_for(g.tenant, active_only=True).values() if d.code in codes])


@bp.get("/items")
@operation("公开目录的全部事项", response=ItemOut, response_list=True, tags=TAGS, errors=(404,),
           query={"domain": {"type": "string", "description": "领域代码，如 03"}})
def items():
    domain = request.args.get("domain")
    return jsonify([item_out(i) for i in services.all_items(g.tenant) if not domain or i.domain_code == domain])


@bp.get("/items/<int:item_id>")
@operation("一个公开事项", response=ItemOut, tags=TAGS, errors=(404,))
def item(item_id: int):
    return jsonify(item_out(get_or_404(CatalogItem, item_id)))


@bp.get("/records")
@operation("政府信息列表（公开的；持编辑令牌时可按状态查看草稿）", response=RecordPage, tags=TAGS, errors=(400, 404),
           query={"domain": {"type": "string"}, "item": {"type": "integer"}, "year": {"type": "integer"},
                  "validity": {"type": "string", "enum": list(VALIDITY_LABELS)}, "q": {"type": "string"},
                  "status": {"type": "string", "enum": list(STATUS_LABELS), "description": "需要编辑令牌"},
                  "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "maximum": 100}})
def records():
    status = request.args.get("status")
    if status:
        if status not in STATUS_LABELS:
            raise ApiError("status 只能是 draft、submitted 或 published。", 400)
        if not _editor():
            raise ApiError("按状态查看需要本单位的编辑令牌。", 401 if api_user() is None else 403)
        stmt = select(Record).where(Record.status == status).order_by(Record.updated_at.desc(), Record.id.desc())
    else:
        stmt = services.filtered_public_records(
            domain=request.args.get("domain") or None, item_id=int_arg("item"),
            year=int_arg("year", 1900, 2200), validity=request.args.get("validity") or None,
            q=(request.args.get("q") or "").strip()[:100] or None)
    page = paginate(stmt, *page_args())
    links = _links(page.items)
    return jsonify(RecordPage(items=[record_out(r, links) for r in page.items], page=page.page, per_page=page.per_page,
                              total=page.total).model_dump(mode="json"))


@bp.get("/records/<int:record_id>")
@operation("一条政府信息", response=RecordOut, tags=TAGS, errors=(404,))
def record(record_id: int):
    return jsonify(record_out(_record_for_api(record_id)))


@bp.post("/records")
@operation("新建政府信息（草稿）", response=RecordOut, body=RecordIn, auth=True, status=201, tags=TAGS,
           errors=(403, 404))
def create_record(body: RecordIn):
    record = services.create_record(api_user(), g.tenant, body.model_dump())
    db.session.commit()
    return jsonify(record_out(record)), 201


@bp.patch("/records/<int:record_id>")
@operation("修改政府信息", response=RecordOut, body=RecordPatch, tags=TAGS, errors=(403, 404),
           permission=Permission.CONTENT_VIEW)
def update_record(record_id: int, body: RecordPatch):
    record = get_or_404(Record, record_id)
    services.update_record(api_user(), record, body.model_dump(exclude_unset=True))
    db.session.commit()
    return jsonify(record_out(record))


@bp.post("/records/<int:record_id>/submit")
@operation("提交审核", response=RecordOut, tags=TAGS, errors=(403, 404, 409), permission=Permission.CONTENT_VIEW)
def submit_record(record_id: int):
    record = get_or_404(Record, record_id)
    services.submit(api_user(), record)
    db.session.commit()
    return jsonify(record_out(record))


@bp.post("/records/<int:record_id>/withdraw")
@operation("撤回待审核的信息（改为草稿）", response=RecordOut, tags=TAGS, errors=(403, 404, 409),
           permission=Permission.CONTENT_VIEW)
def withdraw_record(record_id: int):
    record = get_or_404(Record, record_id)
    services.withdraw(api_user(), record)
    db.session.commit()
    return jsonify(record_out(record))


@bp.post("/records/<int:record_id>/return")
@operation("退回修改（写明原因）", response=RecordOut, body=ReturnIn, tags=TAGS, errors=(403, 404, 409, 422),
           permission=Permission.CONTENT_VIEW)
def return_record(record_id: int, body: ReturnIn):
    record = get_or_404(Record, record_id)
    services.return_to_draft(api_user(), record, body.note)
    db.session.commit()
    return jsonify(record_out(record))


@bp.post("/records/<int:record_id>/publish")
@operation("审核发布（需确认保密审查）", response=RecordOut, body=PublishIn, tags=TAGS, errors=(403, 404, 409),
           permission=Permission.CONTENT_VIEW)
def publish_record(record_id: int, body: PublishIn):
    record = get_or_404(Record, record_id)
    if body.with_interpretations:
        services.publish_with_interpretations(api_user(), record, review_confirmed=body.review_confirmed)
    else:
        services.publish(api_user(), record, review_confirmed=body.review_confirmed)
    db.session.commit()
    return jsonify(record_out(record))


@bp.post("/records/<int:record_id>/lapse")
@operation("标记时效（失效、废止或恢复有效）", response=RecordOut, body=LapseIn, tags=TAGS,
           errors=(403, 404, 409), permission=Permission.CONTENT_VIEW)
def lapse_record(record_id: int, body: LapseIn):
    record = get_or_404(Record, record_id)
    services.lapse(api_user(), record, body.validity, on=body.validity_date, superseded_by=body.superseded_by)
    db.session.commit()
    return jsonify(record_out(record))
