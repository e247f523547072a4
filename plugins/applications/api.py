"""/api/v1/tenants/<slug>/applications: the public's application and status by code, and the
office systems' read and write endpoints (token)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import Blueprint, g, jsonify, url_for
from pydantic import BaseModel, ConfigDict, Field

from core.plugin_api import ApiError, china_date, db, DomainError, mask_name, operation
from plugins.applications.models import (APPLICANT_LABELS, DELIVERY_LABELS, FORM_LABELS, ID_TYPE_LABELS,
                                         STATUS_LABELS)
from plugins.applications.views import (approved_letter, NOT_FOUND, proven, rate_limited, receives_applications,
                                        status_limit, submit_public)

bp = Blueprint("applications_api", __name__)
TAGS = ("applications",)


class PublicApplicationIn(BaseModel):
    model_config = ConfigDict(title="PublicApplicationInput", extra="forbid")
    applicant_kind: Literal[tuple(APPLICANT_LABELS)] = Field(  # type: ignore[valid-type]
        "citizen", description="citizen 公民；法人或其他组织：commercial 商业企业、research 科研机构、"
                               "social 社会公益组织、legal 法律服务机构、other_org 其他")
    name: str = Field(min_length=1, max_length=200, description="公民的姓名，或法人或其他组织的名称")
    id_type: Literal[("",) + tuple(ID_TYPE_LABELS)] = Field(  # type: ignore[valid-type]
        "", description="公民必填：id_card 居民身份证、passport 护照、hk_macao 港澳居民来往内地通行证、"
                        "taiwan 台湾居民来往大陆通行证、other 其他有效身份证件")
    id_number: str = Field("", max_length=40, description="公民必填：证件号码")
    work_unit: str = Field("", max_length=200)
    org_code: str = Field("", max_length=30, description="法人或其他组织必填：统一社会信用代码")
    legal_rep: str = Field("", max_length=100, description="法定代表人或者负责人")
    contact_name: str = Field("", max_length=100, description="法人或其他组织必填：联系人姓名")
    phone: str = Field(min_length=1, max_length=40, description="手机号码或固定电话；查询办理进度时核对后四位")
    email: str = Field("", max_length=200, description="选择以电子邮件获取时必填")
    address: str = Field("", max_length=300, description="选择邮寄时必填")
    postcode: str = Field("", max_length=10)
    description: str = Field(min_length=1, max_length=5000, description="所需政府信息的名称、文号或者便于查询的其他特征")
    doc_ref: str = Field("", max_length=300, description="所需信息的文号或标题（知道的话）")
    form: Literal[tuple(FORM_LABELS)] = Field(  # type: ignore[valid-type]
        "paper", description="指定提供形式：paper 纸质、email 电子邮件、disc 光盘、other 其他")
    delivery: Literal[tuple(DELIVERY_LABELS)] = Field(  # type: ignore[valid-type]
        "post", description="获取方式：post 邮寄、email 电子邮件、in_person 当面领取、fax 传真")
    consent: bool = Field(description="已阅读并同意个人信息处理说明，必须为 true")
    website: str = Field("", max_length=200, description="留空（防机器人字段）")


class ApplicationReceipt(BaseModel):
    model_config = ConfigDict(title="ApplicationReceipt")
    code: str = Field(description="查询码：凭它和联系电话后四位查询办理进度")
    status: Literal[tuple(STATUS_LABELS)]  # type: ignore[valid-type]
    status_label: str
    submitted_at: datetime
    status_url: str


class StatusLookupIn(BaseModel):
    model_config = ConfigDict(title="ApplicationStatusLookup", extra="forbid")
    code: str = Field(min_length=1, max_length=20, description="查询码")
    phone_last4: str = Field(pattern=r"^[0-9]{4}$", description="申请时填写的联系电话的后四位数字")


class ApplicationStatusOut(BaseModel):
    model_config = ConfigDict(title="ApplicationStatus")
    code: str
    applicant: str = Field(description="申请人姓名或名称，已脱敏")
    status: Literal[tuple(STATUS_LABELS)]  # type: ignore[valid-type]
    status_label: str
    submitted_on: date
    received_on: date | None = Field(description="收到申请之日（第三十一条）；网上申请在本机关确认后才有")
    due_on: date | None = Field(description="法定答复期限的最后一天（第三十三条，含延长）")
    extended_days: int = Field(description="延长的工作日数，0 为未延长")
    extension_reason: str
    correction_note: str = Field(description="要求补正的事项（待补正时）")
    correction_deadline: date | None
    answer: str = Field(description="答复结果（已答复后）")
    answered_on: date | None
    delivered_on: date | None
    letter_available: bool = Field(description="答复告知书已签发，可在网站的查询页面下载")


def _status_out(a) -> dict:
    answered = a.status in ("answered", "delivered", "closed")
    waiting = a.status == "correction"
    return ApplicationStatusOut(
        code=a.code, applicant=mask_name(a.name), status=a.status, status_label=a.status_label,
        submitted_on=china_date(a.submitted_at), received_on=a.received_on, due_on=a.due_on,
        extended_days=a.extended_days or 0, extension_reason=a.extension_reason if a.extended_days else "",
        correction_note=a.correction_note if waiting else "", correction_deadline=a.correction_deadline if waiting else None,
        answer=a.answer_label if answered else "", answered_on=a.answered_on if answered else None,
        delivered_on=a.delivered_on, letter_available=approved_letter(a) is not None).model_dump(mode="json")


@bp.post("/")
@operation("提交政府信息公开申请（公众，无需登录）；返回查询码", response=ApplicationReceipt, body=PublicApplicationIn,
           status=201, tags=TAGS, errors=(400, 404, 429))
@rate_limited
def submit(body: PublicApplicationIn):
    """与网站上的申请表规则相同；被拒绝时 details 指出字段。村（居）民委员会不受理申请（404）。"""
    if not receives_applications(g.tenant):
        raise ApiError("村（居）民委员会不受理政府信息公开申请，请向所在乡镇人民政府提出。", 404)
    if body.website:
        raise ApiError("提交未成功。", 400)
    try:
        application = submit_public(g.tenant, body.model_dump())
    except DomainError as exc:
        db.session.rollback()
        raise ApiError(exc.message, 400, [{"field": exc.field, "message": exc.message}] if exc.field else None) \
            from None
    db.session.commit()
    return jsonify(ApplicationReceipt(
        code=application.code, status=application.status, status_label=application.status_label,
        submitted_at=application.submitted_at, status_url=url_for("applications.status", _external=True),
    ).model_dump(mode="json")), 201


@bp.post("/status")
@operation("按查询码和联系电话后四位查询申请的办理进度与答复期限", response=ApplicationStatusOut, body=StatusLookupIn,
           tags=TAGS, errors=(400, 404, 429))
@status_limit
def status(body: StatusLookupIn):
    """查询码或后四位不对时只回答 404 和同一条提示，不说明是哪一项不对。"""
    application = proven(body.code, body.phone_last4)
    if application is None:
        raise ApiError(NOT_FOUND, 404)
    return jsonify(_status_out(application))


# The office systems' endpoints (token) hang from the same blueprint.
from plugins.applications import api_office  # noqa: E402,F401
