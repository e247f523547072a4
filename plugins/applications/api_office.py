"""The office systems' endpoints (token): applications of the tenant, their handling and answer,
with the same rules and errors as the admin forms (the same services: a refusal answers
{"error": ...} with 400, 409 for a step the application's state does not allow, 403/404 for people
without the permission)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import selectinload

from core.plugin_api import (api_user, ApiError, Calendar, china_today, db, get_or_404, operation, page_args,
                             paginate, Permission)
from plugins.applications import clock, privacy, services
from plugins.applications.api import bp
from plugins.applications.models import (ANSWER_LABELS, APPLICANT_LABELS, Application, CHANNEL_LABELS,
                                         DELIVERY_LABELS, FORM_LABELS, ID_TYPE_LABELS, OPEN_STATUSES, STATUS_LABELS)

TAGS = ("applications",)
OFFICE_CHANNELS = tuple(k for k in CHANNEL_LABELS if k != "online")


class OfficeEvent(BaseModel):
    model_config = ConfigDict(title="ApplicationFileEntry")
    kind: str
    summary: str
    at: datetime
    actor: str


class OfficeApplicationOut(BaseModel):
    model_config = ConfigDict(title="OfficeApplication")
    id: int
    code: str = Field(description="查询码")
    channel: Literal[tuple(CHANNEL_LABELS)]  # type: ignore[valid-type]
    status: Literal[tuple(STATUS_LABELS)]  # type: ignore[valid-type]
    status_label: str
    applicant_kind: Literal[tuple(APPLICANT_LABELS)]  # type: ignore[valid-type]
    personal_data_masked: bool = Field(description="申请人的个人信息是否已脱敏：仅本单位经办人员（在本单位有编辑权限）"
                                                   "和管理员看到完整信息，每次查看记入审计日志")
    name: str = Field(description="申请人姓名或名称（自然人的姓名按 personal_data_masked 脱敏）")
    id_type: str
    id_number: str
    work_unit: str
    org_code: str
    legal_rep: str
    contact_name: str
    address: str
    postcode: str
    phone: str
    email: str
    description: str
    doc_ref: str
    form: str
    delivery: str
    submitted_at: datetime
    received_on: date | None
    due_on: date | None = Field(description="法定答复期限的最后一天（含延长和不计入的期间）")
    workdays_left: int | None = Field(description="距答复期限的工作日数，逾期为负数")
    urgency: Literal["overdue", "due_soon", "paused", "ok", "not_started", ""]
    extended_days: int
    extension_reason: str
    extension_approved_by: str
    correction_asked_on: date | None
    correction_note: str
    correction_deadline: date | None
    corrected_on: date | None
    third_party_from: date | None
    third_party_until: date | None
    paused_days: int
    answer: str = Field(description="答复类型：" + "、".join(f"{k} {v}" for k, v in ANSWER_LABELS.items()))
    answer_reason: str
    answer_basis: str
    answer_explanation: str
    answered_on: date | None
    delivered_on: date | None
    delivered_by: str
    closed_on: date | None
    file: list[OfficeEvent] = Field(description="办理记录")


class OfficeApplicationPage(BaseModel):
    model_config = ConfigDict(title="OfficeApplicationPage")
    items: list[OfficeApplicationOut]
    page: int
    per_page: int
    total: int


class RegisterIn(BaseModel):
    model_config = ConfigDict(title="OfficeApplicationInput", extra="forbid")
    channel: Literal[OFFICE_CHANNELS] = Field(  # type: ignore[valid-type]
        description="letter 信函、in_person 当面提交、fax 传真、email 电子邮件")
    received_on: date | None = Field(None, description="收到申请之日（第三十一条）；尚未确认的不填，之后确认")
    applicant_kind: Literal[tuple(APPLICANT_LABELS)] = "citizen"  # type: ignore[valid-type]
    name: str = Field(min_length=1, max_length=200)
    id_type: Literal[("",) + tuple(ID_TYPE_LABELS)] = ""  # type: ignore[valid-type]
    id_number: str = Field("", max_length=40)
    work_unit: str = Field("", max_length=200)
    org_code: str = Field("", max_length=30)
    legal_rep: str = Field("", max_length=100)
    contact_name: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    postcode: str = Field("", max_length=10)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    doc_ref: str = Field("", max_length=300)
    form: Literal[tuple(FORM_LABELS)] = "paper"  # type: ignore[valid-type]
    delivery: Literal[tuple(DELIVERY_LABELS)] = "post"  # type: ignore[valid-type]


class ReceiptIn(BaseModel):
    model_config = ConfigDict(title="ApplicationReceiptInput", extra="forbid")
    received_on: date = Field(description="收到申请之日")


class CorrectionIn(BaseModel):
    model_config = ConfigDict(title="ApplicationCorrectionInput", extra="forbid")
    note: str = Field(max_length=2000, description="需要补正的事项（一次性告知）")
    deadline: date = Field(description="补正期限")


class CorrectedIn(BaseModel):
    model_config = ConfigDict(title="ApplicationCorrectedInput", extra="forbid")
    corrected_on: date = Field(description="收到补正之日，答复期限自该日重新计算")


class ExtendIn(BaseModel):
    model_config = ConfigDict(title="ApplicationExtensionInput", extra="forbid")
    days: int = Field(description="延长的工作日数（只能延长一次，最长 20 个工作日）")
    reason: str = Field(max_length=2000)
    approved_by: str = Field(max_length=100, description="同意延长的负责人")


class AnswerIn(BaseModel):
    model_config = ConfigDict(title="ApplicationAnswerInput", extra="forbid")
    answer: str = Field(description="答复类型：" + "、".join(f"{k} {v}" for k, v in ANSWER_LABELS.items()))
    answer_reason: str = Field("", max_length=30, description="予以公开以外必填：该答复类型下的理由代码")
    answer_basis: str = Field("", max_length=2000, description="予以公开以外必填：法律依据")
    answer_explanation: str = Field("", max_length=5000, description="部分公开、不予公开必填：不予公开的内容")


def office_out(a: Application, unmasked: bool, cal: Calendar | None = None, today: date | None = None) -> dict:
    """One application as the office API shows it; the applicant masked unless `unmasked`. A list
    passes one calendar (and day) for all its rows, and loads the events with the page."""
    cal, today = cal or Calendar(), today or china_today()
    running = a.is_open
    p = privacy.applicant(a, unmasked)
    return OfficeApplicationOut(
        id=a.id, code=a.code, channel=a.channel, status=a.status, status_label=a.status_label,
        applicant_kind=a.applicant_kind, personal_data_masked=not unmasked, name=p["name"], id_type=a.id_type,
        id_number=p["id_number"], work_unit=p["work_unit"], org_code=p["org_code"], legal_rep=p["legal_rep"],
        contact_name=p["contact_name"], address=p["address"], postcode=p["postcode"], phone=p["phone"],
        email=p["email"], description=a.description, doc_ref=a.doc_ref, form=a.form,
        delivery=a.delivery, submitted_at=a.submitted_at, received_on=a.received_on, due_on=a.due_on,
        workdays_left=clock.workdays_left(a, today, cal) if running else None,
        urgency=clock.urgency(a, today, cal) if running else "", extended_days=a.extended_days,
        extension_reason=a.extension_reason, extension_approved_by=a.extension_approved_by,
        correction_asked_on=a.correction_asked_on, correction_note=a.correction_note,
        correction_deadline=a.correction_deadline, corrected_on=a.corrected_on, third_party_from=a.third_party_from,
        third_party_until=a.third_party_until, paused_days=a.paused_days, answer=a.answer,
        answer_reason=a.answer_reason, answer_basis=a.answer_basis, answer_explanation=a.answer_explanation,
        answered_on=a.answered_on, delivered_on=a.delivered_on, delivered_by=a.delivered_by, closed_on=a.closed_on,
        file=[OfficeEvent(kind=e.kind, summary=e.summary, at=e.at, actor=e.actor_name) for e in a.events],
    ).model_dump(mode="json")


def _done(application: Application, status: int = 200):
    """After a step: the application as it is now (the step itself is in the audit log, by the
    same person; an unmasked answer is recorded as a view too)."""
    unmasked = privacy.unmasked_for(api_user(), application, "办理接口")
    out = office_out(application, unmasked)
    db.session.commit()
    return jsonify(out), status


@bp.get("/office")
@operation("本单位的政府信息公开申请（办理用；申请人信息仅对本单位经办人员和管理员完整显示），答复期限最近的在前",
           response=OfficeApplicationPage,
           tags=TAGS, errors=(400, 403, 404), permission=Permission.CONTENT_VIEW,
           query={"status": {"type": "string", "enum": list(STATUS_LABELS), "description": "默认为办理中的全部状态"},
                  "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "maximum": 100}})
def office_list():
    status = request.args.get("status")
    if status and status not in STATUS_LABELS:
        raise ApiError("status 只能是 " + "、".join(STATUS_LABELS) + " 之一。", 400)
    wanted = [status] if status else list(OPEN_STATUSES)
    stmt = (db.select(Application).where(Application.tenant_id == g.tenant.id, Application.status.in_(wanted))
            .options(selectinload(Application.events))
            .order_by(Application.due_on.is_(None), Application.due_on, Application.id))
    page = paginate(stmt, *page_args())
    unmasked = privacy.unmasked_list_for(api_user(), g.tenant, page.items, "办理接口列表")
    cal, today = Calendar(), china_today()
    out = OfficeApplicationPage(items=[office_out(a, unmasked, cal, today) for a in page.items], page=page.page,
                                per_page=page.per_page, total=page.total).model_dump(mode="json")
    db.session.commit()          # the audit entry (after the rows are read: a commit expires them)
    return jsonify(out)


@bp.get("/office/<int:application_id>")
@operation("一件申请及其办理记录", response=OfficeApplicationOut, tags=TAGS, errors=(403, 404),
           permission=Permission.CONTENT_VIEW)
def office_get(application_id: int):
    application = get_or_404(Application, application_id)
    unmasked = privacy.unmasked_for(api_user(), application, "办理接口")
    out = office_out(application, unmasked)
    db.session.commit()
    return jsonify(out)


@bp.post("/office")
@operation("登记信函、当面、传真或电子邮件提出的申请", response=OfficeApplicationOut, body=RegisterIn, status=201, tags=TAGS,
           errors=(400, 403, 404, 409), permission=Permission.CONTENT_EDIT)
def office_register(body: RegisterIn):
    application = services.register(api_user(), g.tenant, body.model_dump())
    return _done(application, 201)


def _step(application_id: int, act):
    application = get_or_404(Application, application_id)
    act(application)
    return _done(application)


@bp.post("/office/<int:application_id>/receipt")
@operation("确认收到申请（答复期限自次日起算）", response=OfficeApplicationOut, body=ReceiptIn, tags=TAGS,
           errors=(400, 403, 404, 409), permission=Permission.CONTENT_EDIT)
def office_receipt(application_id: int, body: ReceiptIn):
    return _step(application_id, lambda a: services.confirm_receipt(api_user(), a, body.received_on))


@bp.post("/office/<int:application_id>/correction")
@operation("要求补正（收到之日起 7 个工作日内、一次）", response=OfficeApplicationOut, body=CorrectionIn, tags=TAGS,
           errors=(400, 403, 404, 409), permission=Permission.CONTENT_EDIT)
def office_correction(application_id: int, body: CorrectionIn):
    return _step(application_id, lambda a: services.ask_correction(api_user(), a, body.note, body.deadline))


@bp.post("/office/<int:application_id>/corrected")
@operation("登记收到补正（答复期限重新计算）", response=OfficeApplicationOut, body=CorrectedIn, tags=TAGS,
           errors=(400, 403, 404, 409), permission=Permission.CONTENT_EDIT)
def office_corrected(application_id: int, body: CorrectedIn):
    return _step(application_id, lambda a: services.receive_correction(api_user(), a, body.corrected_on))


@bp.post("/office/<int:application_id>/extension")
@operation("延长答复期限（一次，最长 20 个工作日，写明理由和同意的负责人）", response=OfficeApplicationOut, body=ExtendIn,
           tags=TAGS, errors=(400, 403, 404, 409), permission=Permission.CONTENT_EDIT)
def office_extend(application_id: int, body: ExtendIn):
    return _step(application_id, lambda a: services.extend(api_user(), a, body.days, body.reason, body.approved_by))


@bp.post("/office/<int:application_id>/answer")
@operation("作出答复决定（第三十六条的答复类型和理由；予以公开以外须写法律依据）", response=OfficeApplicationOut,
           body=AnswerIn, tags=TAGS, errors=(400, 403, 404, 409), permission=Permission.CONTENT_EDIT)
def office_answer(application_id: int, body: AnswerIn):
    return _step(application_id, lambda a: services.set_answer(api_user(), a, body.model_dump()))
