"""Open-day API: events with places left, registering and cancelling for the public, and the
editors' writes with a token."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import Blueprint, g, jsonify, url_for
from pydantic import BaseModel, ConfigDict, Field

from core.plugin_api import (api_user, ApiError, db, get_or_404, has_permission, operation, Permission)
from plugins.open_day import services
from plugins.open_day.models import OpenDay
from plugins.open_day.views import code_limit, register_limit

bp = Blueprint("open_day_api", __name__)
TAGS = ("open_day",)
Status = Literal["draft", "published", "open", "full", "closed", "held", "reviewed", "cancelled"]


class EventOut(BaseModel):
    model_config = ConfigDict(title="OpenDay")
    id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime
    cancel_deadline: datetime
    places: int
    places_left: int
    max_group_size: int
    require_id_number: bool
    waitlist_enabled: bool
    status: Status
    url: str | None
    ics_url: str | None


class EventDetailOut(EventOut):
    model_config = ConfigDict(title="OpenDayDetail")
    description_html: str
    notes: str
    cancel_reason: str
    review_html: str
    satisfaction: float | None
    ratings: int


class RegistrationOut(BaseModel):
    model_config = ConfigDict(title="OpenDayRegistration")
    code: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: int | None
    group_size: int
    name: str = Field(description="已脱敏")
    event: str
    starts_at: datetime
    manage_url: str
    qr_url: str


class RegisterIn(BaseModel):
    model_config = ConfigDict(title="OpenDayRegisterInput", extra="forbid")
    name: str = Field(min_length=1, max_length=30)
    phone: str = Field(min_length=11, max_length=20)
    id_number: str = Field("", max_length=20)
    group_size: int = Field(1, ge=1, le=10)
    consent: bool
    website: str = Field("", description="留空（防机器人字段）")


class EventIn(BaseModel):
    model_config = ConfigDict(title="OpenDayInput", extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    description_html: str = Field("", max_length=200_000)
    place: str = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime
    registration_opens_at: datetime
    registration_closes_at: datetime
    cancel_deadline: datetime | None = None
    places: int = Field(ge=1, le=100_000)
    max_group_size: int = Field(1, ge=1, le=10)
    require_id_number: bool = False
    waitlist_enabled: bool = True
    notes: str = Field("", max_length=5000)


class EventPatch(BaseModel):
    model_config = ConfigDict(title="OpenDayPatch", extra="forbid")
    title: str | None = Field(None, min_length=1, max_length=200)
    description_html: str | None = Field(None, max_length=200_000)
    place: str | None = Field(None, min_length=1, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    cancel_deadline: datetime | None = None
    places: int | None = Field(None, ge=1, le=100_000)
    max_group_size: int | None = Field(None, ge=1, le=10)
    notes: str | None = Field(None, max_length=5000)


class CancelEventIn(BaseModel):
    model_config = ConfigDict(title="OpenDayCancelInput", extra="forbid")
    reason: str = Field(max_length=1000)


class CheckInIn(BaseModel):
    model_config = ConfigDict(title="CheckInInput", extra="forbid")
    code: str = Field(max_length=20)


class CheckInOut(BaseModel):
    model_config = ConfigDict(title="CheckInResult")
    outcome: Literal["ok", "already", "unknown", "waitlisted", "cancelled"]
    group_size: int | None


class ReviewIn(BaseModel):
    model_config = ConfigDict(title="OpenDayReviewInput", extra="forbid")
    review_html: str = Field(min_length=1, max_length=200_000)


def event_out(e: OpenDay, detail: bool = False) -> dict:
    public = e.published_at is not None
    data = dict(id=e.id, title=e.title, place=e.place, starts_at=e.starts_at, ends_at=e.ends_at,
                registration_opens_at=e.registration_opens_at, registration_closes_at=e.registration_closes_at,
                cancel_deadline=e.cancel_deadline, places=e.places, places_left=e.places_left,
                max_group_size=e.max_group_size, require_id_number=e.require_id_number,
                waitlist_enabled=e.waitlist_enabled, status=e.status(),
                url=url_for("open_day.event", event_id=e.id, _external=True) if public else None,
                ics_url=url_for("open_day.ics", event_id=e.id, _external=True) if public else None)
    if not detail:
        return EventOut(**data).model_dump(mode="json")
    rating = services.satisfaction(e) if e.review_published_at else {"average": None, "count": 0}
    return EventDetailOut(**data, description_html=e.description_html, notes=e.notes, cancel_reason=e.cancel_reason,
                          review_html=e.review_html if e.review_published_at else "",
                          satisfaction=rating["average"], ratings=rating["count"]).model_dump(mode="json")


def registration_out(r) -> dict:
    from core.plugin_api import mask_name
    return RegistrationOut(code=r.code, status=r.status, waitlist_position=services.waitlist_position(r),
                           group_size=r.group_size, name=mask_name(r.name), event=r.open_day.title,
                           starts_at=r.open_day.starts_at,
                           manage_url=url_for("open_day.registration", code=r.code, _external=True),
                           qr_url=url_for("open_day.qr", code=r.code, _external=True)).model_dump(mode="json")


def _event(event_id: int) -> OpenDay:
    event = get_or_404(OpenDay, event_id)
    if event.published_at is None and not has_permission(api_user(), Permission.CONTENT_VIEW, g.tenant):
        raise ApiError("不存在。", 404)
    return event


@bp.get("/events")
@operation("即将举办的开放日（含剩余名额）", response=EventOut, response_list=True, tags=TAGS, errors=(404,))
def events():
    return jsonify([event_out(e) for e in db.session.scalars(services.upcoming().limit(200))])


@bp.get("/events/<int:event_id>")
@operation("一个开放日", response=EventDetailOut, tags=TAGS, errors=(404,))
def event(event_id: int):
    return jsonify(event_out(_event(event_id), detail=True))


@bp.post("/events/<int:event_id>/registrations")
@operation("报名（公众，无需登录）：名额内报名成功，满额后进入候补", response=RegistrationOut, body=RegisterIn,
           status=201, tags=TAGS, errors=(404, 409, 429))
@register_limit
def register(event_id: int, body: RegisterIn):
    event = _event(event_id)
    if body.website:
        raise ApiError("提交未成功。", 400)
    registration = services.register(event, body.model_dump())
    db.session.commit()
    return jsonify(registration_out(registration)), 201


def _registration(code: str):
    registration = services.registration_by_code(code)
    if registration is None or registration.open_day.published_at is None:
        raise ApiError("报名码不存在，请核对后重试。", 404)
    return registration


@bp.get("/registrations/<code>")
@operation("按报名码查看报名", response=RegistrationOut, tags=TAGS, errors=(404, 429))
@code_limit
def registration(code: str):
    return jsonify(registration_out(_registration(code)))


@bp.post("/registrations/<code>/cancel")
@operation("按报名码取消报名（截止时间前）；候补名单自动递补", response=RegistrationOut, tags=TAGS,
           errors=(400, 404, 409, 429))
@code_limit
def cancel(code: str):
    registration = _registration(code)
    services.cancel_registration(registration, by="self")
    db.session.commit()
    return jsonify(registration_out(registration))


# --- editors ----------------------------------------------------------------------------------

@bp.post("/events")
@operation("新建开放日（草稿）", response=EventDetailOut, body=EventIn, auth=True, status=201, tags=TAGS,
           errors=(403, 404))
def create(body: EventIn):
    event = services.create_event(api_user(), g.tenant, body.model_dump())
    db.session.commit()
    return jsonify(event_out(event, detail=True)), 201


@bp.patch("/events/<int:event_id>")
@operation("修改开放日（增加名额会自动递补候补）", permission=Permission.CONTENT_VIEW, response=EventDetailOut,
           body=EventPatch, tags=TAGS,
           errors=(403, 404, 409))
def update(event_id: int, body: EventPatch):
    event = get_or_404(OpenDay, event_id)
    services.update_event(api_user(), event, body.model_dump(exclude_unset=True))
    db.session.commit()
    return jsonify(event_out(event, detail=True))


@bp.post("/events/<int:event_id>/publish")
@operation("发布开放日", permission=Permission.CONTENT_VIEW, response=EventOut, tags=TAGS, errors=(403, 404, 409))
def publish(event_id: int):
    event = get_or_404(OpenDay, event_id)
    services.publish_event(api_user(), event)
    db.session.commit()
    return jsonify(event_out(event))


@bp.post("/events/<int:event_id>/cancel")
@operation("取消开放日（通知每位报名者）", permission=Permission.CONTENT_VIEW, response=EventOut, body=CancelEventIn, tags=TAGS,
           errors=(403, 404, 409))
def cancel_event(event_id: int, body: CancelEventIn):
    event = get_or_404(OpenDay, event_id)
    services.cancel_event(api_user(), event, body.reason)
    db.session.commit()
    return jsonify(event_out(event))


@bp.post("/events/<int:event_id>/check-in")
@operation("现场签到（可重复，不会重复计数）", permission=Permission.CONTENT_VIEW, response=CheckInOut, body=CheckInIn, tags=TAGS,
           errors=(403, 404))
def check_in(event_id: int, body: CheckInIn):
    event = get_or_404(OpenDay, event_id)
    outcome, registration = services.check_in(api_user(), event, body.code)
    db.session.commit()
    return jsonify(CheckInOut(outcome=outcome, group_size=registration.group_size if registration else None).model_dump())


@bp.post("/events/<int:event_id>/review")
@operation("发布活动回顾", permission=Permission.CONTENT_VIEW, response=EventDetailOut, body=ReviewIn, tags=TAGS, errors=(403, 404, 409))
def review(event_id: int, body: ReviewIn):
    event = get_or_404(OpenDay, event_id)
    services.publish_review(api_user(), event, body.review_html)
    db.session.commit()
    return jsonify(event_out(event, detail=True))
