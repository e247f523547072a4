"""Open-day logic: events, registration that never overbooks, the waitlist, cancellation and
promotion, check-in, the review and satisfaction, exports and purging.

Concurrency: every change to an event's places starts by locking that event's row
(SELECT … FOR UPDATE on PostgreSQL; on SQLite the request already holds the write lock from
BEGIN IMMEDIATE). Places are taken with one conditional UPDATE (taken + n <= places), and the
database refuses taken > places by a CHECK constraint as a last line of defence.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from core.plugin_api import (across_tenants, ascii_text, Attachment, audit, CHINA_TZ, clean_html, codes,
                            Conflict, db, DomainError, mark_public, mask_id_number, mask_name, mask_phone,
                            normalise_id_number, normalise_mobile, notify, Permission, require_permission,
                            Tenant, utcnow)
from plugins.open_day.models import ACTIVE, OpenDay, Registration, ReviewPhoto


def local(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y年%m月%d日 %H:%M")


# --- events -----------------------------------------------------------------------------------

def _as_utc(value, label: str, field: str) -> datetime:
    """A time as typed (Beijing time unless it says otherwise), in UTC, within sane years."""
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DomainError(f"请按“2026-05-01 09:00”格式填写{label}。", field=field) from None
    if not 2000 <= value.year <= 2100:
        raise DomainError(f"{label}的年份不对，请检查。", field=field)
    try:
        return (value.replace(tzinfo=CHINA_TZ) if value.tzinfo is None else value).astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise DomainError(f"{label}不正确，请检查。", field=field) from None


def _event_values(data: dict, current: OpenDay | None) -> dict:
    values: dict = {}
    for key in ("title", "place", "notes", "cancel_reason"):
        if key in data:
            values[key] = (data[key] or "").strip()
    if "description_html" in data:
        values["description_html"] = clean_html(data["description_html"] or "")
    labels = {"starts_at": "开始时间", "ends_at": "结束时间", "registration_opens_at": "报名开始时间",
              "registration_closes_at": "报名截止时间", "cancel_deadline": "取消报名截止时间"}
    for key, label in labels.items():
        if data.get(key) not in (None, ""):
            values[key] = _as_utc(data[key], label, key)
    for key, label in (("places", "名额"), ("max_group_size", "每人可报名人数")):
        if key in data:
            try:
                values[key] = int(data[key])
            except (TypeError, ValueError):
                raise DomainError(f"{label}必须是整数。", field=key) from None
    for key in ("require_id_number", "waitlist_enabled"):
        if key in data:
            values[key] = bool(data[key])
    merged = {k: getattr(current, k) for k in ("title", "place", "starts_at", "ends_at", "registration_opens_at",
                                               "registration_closes_at", "cancel_deadline", "places",
                                               "max_group_size", "taken")} if current else {"taken": 0, "max_group_size": 1}
    merged.update(values)
    if not merged.get("title"):
        raise DomainError("请填写活动主题。", field="title")
    if len(merged["title"]) > 200:
        raise DomainError("活动主题不能超过 200 个字符。", field="title")
    if not merged.get("place"):
        raise DomainError("请填写活动地点。", field="place")
    for key, label in labels.items():
        if key != "cancel_deadline" and not merged.get(key):
            raise DomainError(f"请填写{label}。", field=key)
    if merged["ends_at"] <= merged["starts_at"]:
        raise DomainError("结束时间必须晚于开始时间。", field="ends_at")
    if merged["registration_closes_at"] <= merged["registration_opens_at"]:
        raise DomainError("报名截止时间必须晚于报名开始时间。", field="registration_closes_at")
    if merged["registration_closes_at"] > merged["starts_at"]:
        raise DomainError("报名应在活动开始前截止。", field="registration_closes_at")
    if not merged.get("cancel_deadline"):
        values["cancel_deadline"] = merged["cancel_deadline"] = merged["registration_closes_at"]
    if merged["cancel_deadline"] > merged["starts_at"]:
        raise DomainError("取消报名的截止时间不能晚于活动开始。", field="cancel_deadline")
    if not 1 <= merged["places"] <= 100_000:
        raise DomainError("名额应在 1 到 100000 之间。", field="places")
    if merged["places"] < merged["taken"]:
        raise DomainError(f"已有 {merged['taken']} 人报名成功，名额不能少于这个数。", field="places")
    if not 1 <= merged["max_group_size"] <= 10:
        raise DomainError("每人可报名人数（含本人）应在 1 到 10 之间。", field="max_group_size")
    if merged["max_group_size"] > merged["places"]:
        raise DomainError("每人可报名人数不能多于总名额。", field="max_group_size")
    return values


def create_event(actor, tenant: Tenant, data: dict) -> OpenDay:
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    event = OpenDay(tenant_id=tenant.id, created_by_id=getattr(actor, "id", None), taken=0,
                    **_event_values(data, None))
    db.session.add(event)
    db.session.flush()
    audit.record("open_day.create", target=event, actor=actor, summary=f"新建开放日“{event.title}”")
    return event


def update_event(actor, event: OpenDay, data: dict) -> list[str]:
    require_permission(actor, Permission.CONTENT_EDIT, event.tenant)
    event = _lock(event)
    if event.status() in ("cancelled", "reviewed"):
        raise Conflict("已取消或已发布回顾的活动不能再修改。")
    values = _event_values(data, event)
    changed = [k for k, v in values.items() if getattr(event, k) != v]
    for key in changed:
        setattr(event, key, values[key])
    if "places" in changed:
        promote_waitlist(event)
    if changed:
        audit.record("open_day.update", target=event, actor=actor, summary=f"修改开放日“{event.title}”：{'、'.join(changed)}")
    return changed


def publish_event(actor, event: OpenDay) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, event.tenant)
    if event.published_at is not None:
        raise Conflict("该活动已经发布。")
    if event.registration_closes_at <= utcnow():
        raise DomainError("报名截止时间已过，请先修改时间。", field="registration_closes_at")
    event.published_at = utcnow()
    audit.record("open_day.publish", target=event, actor=actor, summary=f"发布开放日“{event.title}”")


def cancel_event(actor, event: OpenDay, reason: str) -> int:
    """The government calls the event off: every registrant is told, with the reason."""
    require_permission(actor, Permission.CONTENT_EDIT, event.tenant)
    if not (reason or "").strip():
        raise DomainError("取消活动必须说明原因，原因会通知每位报名者。", field="reason")
    event = _lock(event)
    if event.status() in ("held", "reviewed", "cancelled", "draft"):
        raise Conflict("只有已发布、尚未举办的活动可以取消。")
    event.cancelled_at = utcnow()
    event.cancel_reason = reason.strip()
    told = 0
    for registration in db.session.scalars(select(Registration).where(Registration.open_day_id == event.id,
                                                                      Registration.status.in_(ACTIVE))):
        registration.status, registration.cancelled_at, registration.cancelled_by = "cancelled", utcnow(), "government"
        notify(tenant_id=event.tenant_id, recipient=registration.phone, kind="open_day.cancelled",
               subject=f"{event.title}取消", body=f"您报名的“{event.title}”（{local(event.starts_at)}）已取消。原因：{reason.strip()}")
        told += 1
    event.taken = 0
    audit.record("open_day.cancel", target=event, actor=actor, summary=f"取消开放日“{event.title}”，通知 {told} 人：{reason.strip()}")
    return told


def _lock(event: OpenDay) -> OpenDay:
    """Hold the event's row for the rest of the transaction, and read it again: whatever another
    request committed while we waited for the lock (a cancellation, fewer places) is what we check."""
    locked = db.session.scalar(select(OpenDay).where(OpenDay.id == event.id).with_for_update()
                               .execution_options(populate_existing=True))
    if locked is None:
        raise DomainError("该活动不存在。")
    return locked


# --- registration -----------------------------------------------------------------------------

CODE_GROUPS = (5, 5)


def new_code() -> str:
    return codes.new_code(CODE_GROUPS)


def normalise_code(code: str) -> str:
    return codes.normalise_code(code, CODE_GROUPS)


def mask_code(code: str) -> str:
    """In lists a code is a reference, not the key: the key cancels and rates the registration."""
    return f"{code[:2]}***-**{code[-3:]}" if code else ""


def registration_by_code(code: str) -> Registration | None:
    code = normalise_code(code)
    return db.session.scalar(select(Registration).where(Registration.code == code)) if code else None


def _registration_values(event: OpenDay, data: dict) -> dict:
    name = re.sub(r"\s+", "", ascii_text(data.get("name")))
    if not name:
        raise DomainError("请填写姓名。", field="name")
    if len(name) > 30:
        raise DomainError("姓名不能超过 30 个字符。", field="name")
    phone = normalise_mobile(data.get("phone"))
    if not phone:
        raise DomainError("请填写 11 位手机号码，用于接收通知。", field="phone")
    id_masked = ""
    if event.require_id_number:
        number = normalise_id_number(data.get("id_number"))
        if not number:
            raise DomainError("本次活动需要核验身份，请填写 18 位居民身份证号码。", field="id_number")
        id_masked = mask_id_number(number)  # only the masked form is kept
    try:
        size = int(data.get("group_size") or 1)
    except (TypeError, ValueError):
        raise DomainError("人数必须是整数。", field="group_size") from None
    if not 1 <= size <= event.max_group_size:
        companions = event.max_group_size - 1
        raise DomainError(f"每人最多可带 {companions} 位同行人（共 {event.max_group_size} 人）。" if companions
                          else "本次活动每人限报 1 人，不能带同行人。", field="group_size")
    if not data.get("consent"):
        raise DomainError("请阅读个人信息保护说明并勾选同意后提交。", field="consent")
    return {"name": name, "phone": phone, "id_number_masked": id_masked, "group_size": size}


def register(event: OpenDay, data: dict) -> Registration:
    """A member of the public registers: confirmed while places last, then on the waitlist."""
    values = _registration_values(event, data)
    event = _lock(event)
    now = utcnow()
    status = event.status(now)
    if status in ("draft",):
        raise DomainError("该活动不存在。")
    if status == "cancelled":
        raise DomainError("该活动已取消。")
    if status == "published":
        raise DomainError(f"报名将于 {local(event.registration_opens_at)} 开始。")
    if status not in ("open", "full"):
        raise DomainError(f"报名已于 {local(event.registration_closes_at)} 截止。")
    if values["group_size"] > event.places:
        raise DomainError(f"本次活动共 {event.places} 个名额，不能一次报名 {values['group_size']} 人。", field="group_size")
    if db.session.scalar(select(Registration.id).where(Registration.open_day_id == event.id,
                                                       Registration.phone == values["phone"],
                                                       Registration.status.in_(ACTIVE))):
        raise Conflict("这个手机号已经报名了本次活动。如需查看或取消，请使用报名码。")
    # Someone already waiting comes first: newcomers join the queue behind them.
    queue = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.open_day_id == event.id, Registration.status == "waitlisted"))
    confirmed = not queue and _take(event, values["group_size"])
    if not confirmed and not event.waitlist_enabled:
        raise Conflict("名额已满。")
    registration = Registration(tenant_id=event.tenant_id, open_day_id=event.id, code=new_code(),
                                status="confirmed" if confirmed else "waitlisted",
                                confirmed_at=now if confirmed else None, **values)
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:  # the same phone at the very same moment: the database keeps one
        db.session.rollback()
        raise Conflict("这个手机号已经报名了本次活动。如需查看或取消，请使用报名码。") from None
    _tell(event, registration, "confirmed" if confirmed else "waitlisted")
    audit.record("open_day.register", target=registration, actor_name="public",
                 summary=f"“{event.title}”报名 {values['group_size']} 人：{registration.status_label}")
    return registration


def _take(event: OpenDay, size: int) -> bool:
    """One atomic UPDATE: take `size` places if they are still there."""
    taken = db.session.execute(update(OpenDay).where(OpenDay.id == event.id, OpenDay.cancelled_at.is_(None),
                                                     OpenDay.taken + size <= OpenDay.places)
                               .values(taken=OpenDay.taken + size).execution_options(synchronize_session=False))
    db.session.expire(event, ["taken"])
    return taken.rowcount == 1


def _give_back(event: OpenDay, size: int) -> None:
    db.session.execute(update(OpenDay).where(OpenDay.id == event.id).values(taken=OpenDay.taken - size)
                       .execution_options(synchronize_session=False))
    db.session.expire(event, ["taken"])


def _tell(event: OpenDay, registration: Registration, what: str) -> None:
    when = local(event.starts_at)
    bodies = {
        "confirmed": f"您已报名“{event.title}”（{when}，{event.place}），共 {registration.group_size} 人。报名码 {registration.code}，请在入口出示。",
        "waitlisted": f"“{event.title}”名额已满，您已进入候补名单。有人取消时将按顺序为您递补并短信通知。报名码 {registration.code}。",
        "promoted": f"有人取消报名，您已由候补转为报名成功：“{event.title}”（{when}，{event.place}）。报名码 {registration.code}。",
        "cancelled": f"您已取消“{event.title}”的报名。",
    }
    notify(tenant_id=event.tenant_id, recipient=registration.phone, kind=f"open_day.{what}",
           subject=event.title, body=bodies[what])


def cancel_registration(registration: Registration, *, by: str, actor=None) -> bool:
    """Cancel (by the person with their code before the deadline, or by staff); frees the places
    and moves the waitlist up. Returns False when it was already cancelled (idempotent)."""
    event = registration.open_day
    if by == "self":
        if utcnow() >= event.cancel_deadline:
            raise DomainError(f"取消报名已于 {local(event.cancel_deadline)} 截止，如有特殊情况请联系主办单位。")
    else:
        require_permission(actor, Permission.CONTENT_EDIT, event.tenant)
    event = _lock(event)
    if event.status() in ("held", "reviewed"):
        raise Conflict("活动已经举办。")
    values = {"status": "cancelled", "cancelled_at": utcnow(), "cancelled_by": by}
    was_confirmed = db.session.execute(update(Registration).where(
        Registration.id == registration.id, Registration.status == "confirmed").values(**values)
        .execution_options(synchronize_session=False)).rowcount == 1
    was_waiting = not was_confirmed and db.session.execute(update(Registration).where(
        Registration.id == registration.id, Registration.status == "waitlisted").values(**values)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.expire(registration)
    if not (was_confirmed or was_waiting):
        return False
    if was_confirmed:
        _give_back(event, registration.group_size)
    _tell(event, registration, "cancelled")
    promote_waitlist(event)
    audit.record("open_day.cancel_registration", target=registration, actor=actor,
                 actor_name=None if actor else "public", summary=f"取消报名（{by}）")
    return True


def promote_waitlist(event: OpenDay) -> list[Registration]:
    """Move people up from the waitlist, strictly in order, while their whole group fits.
    The caller holds the event's lock, so two cancellations never promote the same person."""
    promoted = []
    if event.status() not in ("open", "full", "closed", "published"):
        return promoted
    while True:
        head = db.session.scalar(select(Registration).where(Registration.open_day_id == event.id,
                                                            Registration.status == "waitlisted")
                                 .order_by(Registration.id).limit(1))
        if head is None or not _take(event, head.group_size):
            break
        moved = db.session.execute(update(Registration).where(Registration.id == head.id,
                                                               Registration.status == "waitlisted")
                                   .values(status="confirmed", confirmed_at=utcnow(), promoted_at=utcnow())
                                   .execution_options(synchronize_session=False)).rowcount == 1
        db.session.expire(head)
        if not moved:  # cannot happen under the lock; give the places back rather than lose them
            _give_back(event, head.group_size)
            continue
        _tell(event, head, "promoted")
        promoted.append(head)
    return promoted


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != "waitlisted":
        return None
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.open_day_id == registration.open_day_id, Registration.status == "waitlisted",
        Registration.id <= registration.id))


# --- check-in, review, satisfaction -------------------------------------------------------------

def check_in(actor, event: OpenDay, code: str) -> tuple[str, Registration | None]:
    """('ok' | 'already' | 'unknown' | 'waitlisted' | 'cancelled', registration). Idempotent."""
    require_permission(actor, Permission.CONTENT_EDIT, event.tenant)
    if not check_in_open(event):
        raise DomainError(f"签到从活动当天（{event.starts_at.astimezone(CHINA_TZ):%Y-%m-%d}）开始，到活动结束后 6 小时为止。")
    registration = registration_by_code(code)
    if registration is None or registration.open_day_id != event.id:
        return "unknown", None
    if registration.status != "confirmed":
        return registration.status, registration
    if registration.checked_in_at is not None:
        return "already", registration
    claimed = db.session.execute(update(Registration).where(Registration.id == registration.id,
                                                             Registration.checked_in_at.is_(None))
                                 .values(checked_in_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.expire(registration)
    if not claimed:
        return "already", registration
    audit.record("open_day.check_in", target=registration, actor=actor, summary=f"签到 {registration.code}")
    return "ok", registration


def check_in_open(event: OpenDay, now: datetime | None = None) -> bool:
    """From the start of the event's day (Beijing) until six hours after it ends."""
    now = now or utcnow()
    day_start = datetime.combine(event.starts_at.astimezone(CHINA_TZ).date(), time.min, tzinfo=CHINA_TZ)
    return event.cancelled_at is None and day_start <= now <= event.ends_at + timedelta(hours=6)


def attendance(event: OpenDay) -> dict:
    rows = db.session.execute(select(Registration.status, Registration.checked_in_at.is_not(None), Registration.group_size)
                              .where(Registration.open_day_id == event.id)).all()
    confirmed = [r for r in rows if r[0] == "confirmed"]
    return {
        "confirmed": len(confirmed), "people": sum(r[2] for r in confirmed),
        "checked_in": sum(1 for r in confirmed if r[1]), "checked_in_people": sum(r[2] for r in confirmed if r[1]),
        "no_shows": sum(1 for r in confirmed if not r[1]) if event.status() in ("held", "reviewed") else None,
        "waitlisted": sum(1 for r in rows if r[0] == "waitlisted"),
        "cancelled": sum(1 for r in rows if r[0] == "cancelled"),
    }


def publish_review(actor, event: OpenDay, html: str, photo_ids=()) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, event.tenant)
    if event.status() not in ("held", "reviewed"):
        raise Conflict("活动举办后才能发布回顾。")
    cleaned = clean_html(html or "")
    if not cleaned:
        raise DomainError("请填写活动回顾。", field="review_html")
    ids = [int(i) for i in photo_ids or [] if isinstance(i, int) or str(i).isdigit()]
    photos = {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.id.in_(ids)))} if ids else {}
    if any(i not in photos or not photos[i].is_image for i in ids):
        raise DomainError("回顾照片必须是本单位上传的 JPG 或 PNG 图片。", field="photos")
    event.review_html = cleaned
    event.photo_links = event.photo_links + [ReviewPhoto(tenant_id=event.tenant_id, attachment=photos[i],
                                                         position=len(event.photo_links) + n) for n, i in enumerate(ids)]
    for photo in event.photos:
        mark_public(photo)
    first = event.review_published_at is None
    event.review_published_at = event.review_published_at or utcnow()
    audit.record("open_day.review", target=event, actor=actor,
                 summary=f"{'发布' if first else '更新'}“{event.title}”活动回顾")


def rate(registration: Registration, rating, feedback: str = "") -> None:
    """A participant rates the visit with their code, once the event has been held."""
    event = registration.open_day
    if event.status() not in ("held", "reviewed"):
        raise DomainError("活动结束后才能评价。")
    if registration.status != "confirmed" or registration.checked_in_at is None:
        raise DomainError("只有现场签到的参加者可以评价。")
    if registration.rated_at is not None:
        raise Conflict("您已经评价过了，谢谢。")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise DomainError("请选择 1 到 5 星的评价。", field="rating")
    feedback = (feedback or "").strip()
    if len(feedback) > 1000:
        raise DomainError("评价内容不能超过 1000 个字。", field="feedback")
    registration.rating, registration.feedback, registration.rated_at = rating, feedback, utcnow()


def satisfaction(event: OpenDay) -> dict:
    rows = db.session.execute(select(Registration.rating, Registration.feedback, Registration.name).where(
        Registration.open_day_id == event.id, Registration.rating.is_not(None)).order_by(Registration.rated_at)).all()
    counts = Counter(r[0] for r in rows)
    return {"count": len(rows), "average": sum(r[0] for r in rows) / len(rows) if rows else None,
            "distribution": [(stars, counts[stars]) for stars in range(5, 0, -1)],
            "comments": [(mask_name(name), stars, text) for stars, text, name in rows if text]}


# --- listings, exports, privacy -----------------------------------------------------------------

def visible():
    return select(OpenDay).where(OpenDay.published_at.is_not(None))


def upcoming():
    return visible().where(OpenDay.ends_at > utcnow(), OpenDay.cancelled_at.is_(None)).order_by(OpenDay.starts_at)


def past():
    return visible().where(OpenDay.ends_at <= utcnow()).order_by(OpenDay.starts_at.desc())


def export_rows(event: OpenDay, *, unmasked: bool) -> list[list]:
    rows = [["报名码", "姓名", "手机", "身份证号", "人数", "状态", "报名时间", "签到时间", "评价"]]
    for r in db.session.scalars(select(Registration).where(Registration.open_day_id == event.id).order_by(Registration.id)):
        rows.append([r.code if unmasked else mask_code(r.code), r.name if unmasked else mask_name(r.name), r.phone if unmasked else mask_phone(r.phone),
                     r.id_number_masked, r.group_size, r.status_label,
                     r.created_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
                     r.checked_in_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if r.checked_in_at else "",
                     r.rating or ""])
    return rows


def purge_personal_data(before: date) -> int:
    """Erase names, phones and ID numbers of registrations for events that ended before `before`."""
    cutoff = datetime.combine(before, time.min, tzinfo=timezone.utc)
    with across_tenants(None, reason="privacy purge of open-day registrations"):
        ended = select(OpenDay.id).where(OpenDay.ends_at < cutoff)
        erased = 0
        for r in db.session.scalars(select(Registration).where(
                Registration.open_day_id.in_(ended),
                (Registration.name != "") | (Registration.phone != "") | (Registration.id_number_masked != ""))):
            r.name, r.phone, r.id_number_masked = "", "", ""
            erased += 1
        for event in db.session.scalars(select(OpenDay).where(OpenDay.id.in_(ended))):
            event.personal_data_purged_at = utcnow()
        db.session.flush()
    return erased


def default_times(days_ahead: int = 14) -> dict:
    start_day = (utcnow().astimezone(CHINA_TZ) + timedelta(days=days_ahead)).date()
    at = lambda d, h: datetime.combine(d, time(h), tzinfo=CHINA_TZ)  # noqa: E731
    return {"starts_at": at(start_day, 9), "ends_at": at(start_day, 11),
            "registration_opens_at": at(start_day - timedelta(days=10), 9),
            "registration_closes_at": at(start_day - timedelta(days=1), 17)}
