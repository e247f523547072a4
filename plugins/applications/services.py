"""What happens to an application, one rule each: received, corrected, paused for a third party,
extended, answered, closed. Every step is recorded in the application's file (ApplicationEvent)
and in the audit log; refusals are DomainErrors with a message for the person at the desk."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.plugin_api import (audit, Calendar, china_date, china_moment, china_today, codes, Conflict, db, DomainError,
                             normalise_email, normalise_id_number, normalise_phone, notify, Permission,
                             require_permission, Tenant, utcnow)
from plugins.applications import clock
from plugins.applications.models import (ANSWER_LABELS, Application, ApplicationEvent, ApplicationSettings,
                                         APPLICANT_LABELS, CHANNEL_LABELS, CODE_GROUPS, DELIVERY_LABELS,
                                         FORM_LABELS, ID_TYPE_LABELS, REASONS)
from plugins.applications.plugin import TENANT_KINDS    # the one rule of which units receive applications


def default_settings(tenant: Tenant) -> ApplicationSettings:
    """The settings a tenant has until its admin saves some (not in the session)."""
    return ApplicationSettings(tenant_id=tenant.id, office_name=f"{tenant.name}政务公开办公室",
                               reconsideration_body="", court="", doc_no_prefix="")


def settings_for(tenant: Tenant) -> ApplicationSettings:
    """The tenant's settings; the defaults, unsaved, until its admin saves others (reading never writes)."""
    row = db.session.scalar(select(ApplicationSettings).where(ApplicationSettings.tenant_id == tenant.id))
    return row if row is not None else default_settings(tenant)


def create_settings(tenant: Tenant) -> None:
    """Store the default settings row unless the tenant has one, safe against another transaction
    creating it at the same moment: INSERT … ON CONFLICT DO NOTHING on the unique tenant_id (the
    loser's insert waits for the winner, then does nothing; no error, no savepoint). The caller
    then reads the row."""
    row = default_settings(tenant)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(ApplicationSettings).values(
        tenant_id=tenant.id, office_name=row.office_name, reconsideration_body="", court="", doc_no_prefix="")
        .on_conflict_do_nothing(index_elements=["tenant_id"]))


def parse_day(value, label: str, field: str, *, required: bool = True) -> date | None:
    """A date given as a date or as YYYY-MM-DD text; a DomainError on `field` when it is not one
    (or is missing and `required`); None when missing and not required."""
    if value in (None, ""):
        if required:
            raise DomainError(f"请填写{label}。", field=field)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"{label}格式不正确，应为 YYYY-MM-DD。", field=field) from None


def record_event(application: Application, kind: str, summary: str, actor=None) -> None:
    db.session.add(ApplicationEvent(tenant_id=application.tenant_id, application=application, kind=kind,
                                    summary=summary, at=utcnow(), actor_name=getattr(actor, "label", "") or ""))
    if actor is not None:
        audit.record(f"applications.{kind}", target=application, actor=actor, summary=summary)


def tell_applicant(application: Application, kind: str, subject: str, body: str) -> None:
    """The applicant is told (第三十条 补正, 第三十三条 延期, receipt and answer) by e-mail when they gave
    one, else by text message; through the outbox, sent after the transaction commits. Nothing but
    the 查询码 identifies them in the message."""
    channel, recipient = ("email", application.email) if application.email else ("sms", application.phone)
    if not recipient:
        return                      # by post only: the office's letter does it
    notify(tenant_id=application.tenant_id, recipient=recipient, kind=f"applications.{kind}", channel=channel,
           subject=subject, body=f"{body}（查询码 {application.code}）")


def refresh_due(application: Application, cal: Calendar | None = None) -> None:
    application.due_on = clock.due_date(application, cal or Calendar())


# --- an application comes in --------------------------------------------------------------------

def _text(data: dict, key: str, limit: int) -> str:
    value = str(data.get(key) or "").strip()
    if len(value) > limit:
        raise DomainError(f"内容过长：不能超过 {limit} 个字。", field=key)
    return value


def _values(data: dict) -> dict:
    kind = data.get("applicant_kind") or "citizen"
    if kind not in APPLICANT_LABELS:
        raise DomainError("请选择申请人类型。", field="applicant_kind")
    values = {"applicant_kind": kind}
    for key, limit in (("name", 200), ("id_type", 16), ("id_number", 40), ("work_unit", 200), ("org_code", 30),
                       ("legal_rep", 100), ("contact_name", 100), ("address", 300), ("postcode", 10),
                       ("phone", 40), ("email", 200), ("description", 5000), ("doc_ref", 300)):
        values[key] = _text(data, key, limit)
    values["form"] = data.get("form") or "paper"
    values["delivery"] = data.get("delivery") or "post"
    if values["form"] not in FORM_LABELS:
        raise DomainError("请选择所需信息的提供形式。", field="form")
    if values["delivery"] not in DELIVERY_LABELS:
        raise DomainError("请选择获取信息的方式。", field="delivery")
    if not values["name"]:
        raise DomainError("请填写申请人姓名。" if kind == "citizen" else "请填写单位名称。", field="name")
    if kind == "citizen":
        if values["id_type"] not in ID_TYPE_LABELS:
            raise DomainError("请选择证件类型。", field="id_type")
        if not values["id_number"]:
            raise DomainError("请填写证件号码。", field="id_number")
    else:
        if not values["org_code"]:
            raise DomainError("请填写统一社会信用代码。", field="org_code")
        if not values["contact_name"]:
            raise DomainError("请填写联系人。", field="contact_name")
    _check_contacts(values)
    if not (values["phone"] or values["email"] or values["address"]):
        raise DomainError("请至少填写一种联系方式（电话、电子邮箱或通信地址），以便答复。", field="phone")
    if values["delivery"] == "email" and not values["email"]:
        raise DomainError("选择以电子邮件获取时，请填写电子邮箱。", field="email")
    if values["delivery"] == "post" and not values["address"]:
        raise DomainError("选择邮寄时，请填写通信地址。", field="address")
    if len(values["description"]) < 5:
        raise DomainError("请描述所需政府信息的名称、文号或者便于查询的其他特征。", field="description")
    return values


def _check_contacts(values: dict) -> None:
    """The phone, e-mail, resident ID number and postcode, when given, are real ones, stored in
    their normal form (whichever way the application came in: form, API, the office's registration)."""
    if values["phone"]:
        values["phone"] = normalise_phone(values["phone"])
        if not values["phone"]:
            raise DomainError("请填写正确的手机号码或固定电话。", field="phone")
    if values["email"]:
        values["email"] = normalise_email(values["email"])
        if not values["email"]:
            raise DomainError("请填写正确的电子邮箱。", field="email")
    if values["applicant_kind"] == "citizen" and values["id_type"] == "id_card" and values["id_number"]:
        values["id_number"] = normalise_id_number(values["id_number"])
        if not values["id_number"]:
            raise DomainError("请填写正确的 18 位居民身份证号码。", field="id_number")
    if values["postcode"] and not re.fullmatch(r"[0-9]{6}", values["postcode"]):
        raise DomainError("邮政编码应为 6 位数字。", field="postcode")


def _new_application(tenant: Tenant, values: dict, channel: str) -> Application:
    if tenant.kind not in TENANT_KINDS:
        raise DomainError("村（居）民委员会不受理政府信息公开申请，请向所在乡镇人民政府提出。")
    application = Application(tenant_id=tenant.id, code=codes.new_code(CODE_GROUPS), channel=channel,
                              submitted_at=utcnow(), status="awaiting_receipt", **values)
    db.session.add(application)
    db.session.flush()
    return application


def submit_online(tenant: Tenant, data: dict) -> Application:
    """The public's application through the portal or the public API: received once the office
    confirms it (第三十一条第三项); a phone number and the applicant's consent to the
    personal-information notice are required."""
    if not normalise_phone(data.get("phone")):      # the status page asks for its last four digits
        raise DomainError("请填写正确的手机号码或固定电话（查询办理进度时需要核对号码的后四位）。", field="phone")
    if not data.get("consent"):
        raise DomainError("请阅读并同意个人信息处理说明。", field="consent")
    application = _new_application(tenant, _values(data), "online")
    application.consent_at = utcnow()
    record_event(application, "submitted", "通过网站提交申请，等待确认收到。")
    return application


def register(actor, tenant: Tenant, data: dict) -> Application:
    """An application the office received by letter, in person, by fax or e-mail, registered with its
    channel; handed in or signed for on `received_on` (第三十一条第一、二项)."""
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    channel = data.get("channel")
    if channel not in CHANNEL_LABELS or channel == "online":
        raise DomainError("请选择申请的提交方式（信函、当面、传真或电子邮件）。", field="channel")
    application = _new_application(tenant, _values(data), channel)
    application.created_by_id = getattr(actor, "id", None)
    if data.get("received_on"):
        # A letter signed for yesterday and registered today came in yesterday: its receipt date may
        # not be refused as "before it was submitted".
        day = parse_day(data["received_on"], "收到申请的日期", "received_on")
        if day < china_date(application.submitted_at):
            application.submitted_at = china_moment(day)
    record_event(application, "registered", f"登记{CHANNEL_LABELS[channel]}申请。", actor)
    if data.get("received_on"):
        confirm_receipt(actor, application, data["received_on"])
    return application


def confirm_receipt(actor, application: Application, on) -> None:
    """The legal receipt date: the clock starts the day after."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "awaiting_receipt":
        raise Conflict("这份申请已经确认收到。")
    day = parse_day(on, "收到申请的日期", "received_on")
    if day > china_today():
        raise DomainError("收到申请的日期不能晚于今天。", field="received_on")
    if day < china_date(application.submitted_at):
        raise DomainError("收到申请的日期不能早于申请提交的日期。", field="received_on")
    application.received_on = day
    application.status = "open"
    refresh_due(application)
    record_event(application, "received", f"确认收到申请（{day.isoformat()}），答复期限至 {application.due_on.isoformat()}。",
                 actor)
    tell_applicant(application, "received", f"{application.tenant.name}已收到您的政府信息公开申请",
                   f"收到日期 {day.isoformat()}，将于 {application.due_on.isoformat()} 前答复")


# --- the clock's turns ------------------------------------------------------------------------

def ask_correction(actor, application: Application, note: str, deadline) -> None:
    """补正: once, within 7 working days of receipt (第三十条), saying what to correct and by when."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "open":
        raise Conflict("只有办理中的申请可以要求补正。")
    if application.correction_asked_on is not None:
        raise Conflict("补正只能要求一次（《政府信息公开条例》第三十条：一次性告知）。")
    cal = Calendar()
    today = china_today()
    if today > clock.correction_window_ends(application, cal):
        raise DomainError(f"已超过收到申请之日起 {clock.CORRECTION_WINDOW_WORKDAYS} 个工作日，不能再要求补正"
                          "（《政府信息公开条例》第三十条）。")
    if not (note or "").strip():
        raise DomainError("请写明需要补正的事项。", field="correction_note")
    until = parse_day(deadline, "补正期限", "correction_deadline")
    if until <= today:
        raise DomainError("补正期限应晚于今天，给申请人合理的时间。", field="correction_deadline")
    application.correction_asked_on = today
    application.correction_note = note.strip()
    application.correction_deadline = until
    application.status = "correction"
    record_event(application, "correction_asked", f"要求补正（{until.isoformat()} 前）：{note.strip()}", actor)
    tell_applicant(application, "correction", "请补正您的政府信息公开申请",
                   f"请于 {until.isoformat()} 前补正：{note.strip()}。逾期未补正的，视为放弃申请")


def receive_correction(actor, application: Application, on) -> None:
    """The corrected application arrived: the period runs again from that day."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "correction":
        raise Conflict("这份申请没有在等待补正。")
    day = parse_day(on, "收到补正的日期", "corrected_on")
    if day > china_today() or day < application.correction_asked_on:
        raise DomainError("收到补正的日期应在要求补正之后、今天或以前。", field="corrected_on")
    application.corrected_on = day
    application.status = "open"
    refresh_due(application)
    record_event(application, "corrected", f"收到补正（{day.isoformat()}），答复期限重新计算至 {application.due_on.isoformat()}。",
                 actor)


def lapse_uncorrected(actor, application: Application) -> None:
    """Not corrected by the deadline: treated as withdrawn (第三十条), counted under 其他处理."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "correction":
        raise Conflict("这份申请没有在等待补正。")
    if china_today() <= application.correction_deadline:
        raise DomainError(f"补正期限（{application.correction_deadline.isoformat()}）还没有过。")
    application.answer, application.answer_reason = "other", "no_correction"
    application.answered_on = application.closed_on = china_today()
    application.status = "closed"
    record_event(application, "lapsed", "申请人逾期未补正，视为放弃申请（《政府信息公开条例》第三十条）。", actor)


def start_third_party(actor, application: Application, on) -> None:
    """征求第三方意见 (第三十二条): the clock stops from the day the request is sent."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "open":
        raise Conflict("只有办理中的申请可以征求第三方意见。")
    day = parse_day(on, "发出征求意见书的日期", "third_party_from")
    if day > china_today() or (application.received_on and day < application.received_on):
        raise DomainError("发出征求意见书的日期应在收到申请之后、今天或以前。", field="third_party_from")
    application.third_party_from, application.third_party_until = day, None
    application.status = "third_party"
    record_event(application, "third_party_asked", f"征求第三方意见（{day.isoformat()} 发出），期间不计入答复期限。", actor)


def end_third_party(actor, application: Application, on) -> None:
    """The third party answered (or its 15 working days ran out): the clock runs again, the days
    it took (at most 15 working days) added to the period."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "third_party":
        raise Conflict("这份申请没有在征求第三方意见。")
    day = parse_day(on, "收到第三方意见的日期", "third_party_until")
    if day > china_today() or day < application.third_party_from:
        raise DomainError("收到第三方意见的日期应在发出之后、今天或以前。", field="third_party_until")
    cal = Calendar()
    spent = clock.third_party_days(application.third_party_from, day, cal)
    application.third_party_until = day
    application.paused_days = (application.paused_days or 0) + spent
    application.status = "open"
    refresh_due(application, cal)
    record_event(application, "third_party_answered",
                 f"第三方意见办结（{day.isoformat()}），不计入期限的 {spent} 个工作日已顺延，答复期限至 {application.due_on.isoformat()}。",
                 actor)


def extend(actor, application: Application, days: int, reason: str, approved_by: str) -> None:
    """One extension of at most 20 working days (第三十三条第二款), approved by the head of the
    office's work, with the reason; the applicant is told (the file says so)."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status not in ("open", "third_party"):
        raise Conflict("只有办理中的申请可以延长答复期限。")
    if application.extended_days:
        raise Conflict("答复期限只能延长一次（《政府信息公开条例》第三十三条第二款）。")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise DomainError("请填写延长的工作日数。", field="days") from None
    if not 1 <= days <= clock.EXTENSION_MAX_WORKDAYS:
        raise DomainError(f"延长的期限最长不得超过 {clock.EXTENSION_MAX_WORKDAYS} 个工作日"
                          "（《政府信息公开条例》第三十三条第二款）。", field="days")
    if not (reason or "").strip():
        raise DomainError("请写明延长答复期限的理由。", field="reason")
    if not (approved_by or "").strip():
        raise DomainError("请填写同意延长的负责人。", field="approved_by")
    if application.due_on and china_today() > application.due_on:
        raise DomainError("答复期限已过，不能再延长；请尽快答复。")
    application.extended_days = days
    application.extension_reason = reason.strip()
    application.extension_approved_by = approved_by.strip()
    application.extended_at = utcnow()
    refresh_due(application)
    record_event(application, "extended", f"经{approved_by.strip()}同意，答复期限延长 {days} 个工作日至 "
                 f"{application.due_on.isoformat()}，理由：{reason.strip()}。已告知申请人。", actor)
    tell_applicant(application, "extended", "政府信息公开申请的答复期限已延长",
                   f"答复期限延长至 {application.due_on.isoformat()}，理由：{reason.strip()}")


# --- the answer -------------------------------------------------------------------------------

def check_answer(answer: str, reason: str, basis: str, explanation: str) -> None:
    """The closed list of 第三十六条 as the annual report counts it: every answer but 予以公开 needs
    one of its reasons and the legal basis; 部分公开 and 不予公开 name what is withheld."""
    if answer not in ANSWER_LABELS:
        raise DomainError("请从规定的答复类型中选择。", field="answer")
    if answer == "disclose":
        return
    if reason not in REASONS[answer]:
        raise DomainError(f"“{ANSWER_LABELS[answer]}”须选择具体理由。", field="answer_reason")
    if not (basis or "").strip():
        raise DomainError("请写明法律依据（例如《中华人民共和国政府信息公开条例》第十四条）。", field="answer_basis")
    if answer in ("partial", "withhold") and not (explanation or "").strip():
        raise DomainError("部分公开或不予公开的，请写明不予公开的内容和理由。", field="answer_explanation")


def set_answer(actor, application: Application, data: dict) -> None:
    """The decision, before its letter is drafted; changeable until the letter is signed."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status not in ("open",):
        raise Conflict("只有办理中的申请可以作出答复决定。")
    answer = data.get("answer") or ""
    reason = "" if answer == "disclose" else (data.get("answer_reason") or "")
    basis, explanation = (data.get("answer_basis") or "").strip(), (data.get("answer_explanation") or "").strip()
    check_answer(answer, reason, basis, explanation)
    application.answer, application.answer_reason = answer, reason
    application.answer_basis, application.answer_explanation = basis, explanation
    record_event(application, "answer_set", f"答复决定：{ANSWER_LABELS[answer]}"
                 + (f"（{REASONS[answer][reason]}）" if reason else "") + "。", actor)


def find(code: str) -> Application | None:
    """An application of the current tenant by its 查询码, typed any way (case, spaces, dashes)."""
    normalised = codes.normalise_code(code, CODE_GROUPS)
    return db.session.scalar(select(Application).where(Application.code == normalised)) if normalised else None


# --- after the letter: delivery and closing (the office's side) -------------------------------
# (imports of the office's part, kept with it)
from dataclasses import dataclass  # noqa: E402

from core.plugin_api import across_tenants, has_permission  # noqa: E402
from plugins.applications.models import OPEN_STATUSES, STATUS_LABELS  # noqa: E402

def record_delivery(actor, application: Application, method: str, on) -> None:
    """The signed letter (and the information provided) reached the applicant: how and when."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "answered":
        raise Conflict("只有已签发答复告知书的申请可以登记送达。")
    if method not in DELIVERY_LABELS:
        raise DomainError("请选择送达方式。", field="delivered_by")
    day = parse_day(on, "送达日期", "delivered_on")
    if day > china_today() or (application.answered_on and day < application.answered_on):
        raise DomainError("送达日期应在答复签发之后、今天或以前。", field="delivered_on")
    application.delivered_by, application.delivered_on = method, day
    application.status = "delivered"
    record_event(application, "delivered", f"答复告知书已{DELIVERY_LABELS[method]}送达（{day.isoformat()}）。", actor)


def close(actor, application: Application) -> None:
    """Delivered: the file is complete and archived (办结)."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "delivered":
        raise Conflict("只有已送达的申请可以办结归档。")
    application.status = "closed"
    application.closed_on = china_today()
    record_event(application, "closed", "办结归档。", actor)


# --- the office's settings ----------------------------------------------------------------------

def default_doc_no_prefix(tenant: Tenant) -> str:
    """白水镇 → 白政依复: the unit's first character, 政 (a people's government), 依复 (依申请答复)."""
    return f"{tenant.name[:1]}政依复"


def remedy_bodies(tenant: Tenant) -> tuple[str, str]:
    """The reconsideration body and the court named in the letters: the settings, else for a town
    its district's people's government (行政复议法 2023 第二十四条) and court."""
    row = settings_for(tenant)
    parent = tenant.parent.name if tenant.parent is not None else ""
    reconsideration = row.reconsideration_body or (f"{parent}人民政府" if parent else "上一级人民政府")
    court = row.court or (f"{parent}人民法院" if parent else "有管辖权的人民法院")
    return reconsideration, court


def update_settings(actor, tenant: Tenant, data: dict) -> bool:
    """The office's name, the bodies of the remedies and the letters' 文号 prefix (TENANT_MANAGE)."""
    require_permission(actor, Permission.TENANT_MANAGE, tenant)
    row = settings_for(tenant)
    values = {key: _text(data, key, limit) for key, limit in (("office_name", 200), ("reconsideration_body", 200),
                                                               ("court", 200), ("doc_no_prefix", 50))}
    if not values["office_name"]:
        raise DomainError("请填写答复机关（办公室）名称。", field="office_name")
    if any(ch in values["doc_no_prefix"] for ch in "〔〕[]()（）0123456789"):
        raise DomainError("文号前缀只写机关代字，例如“白政依复”；年份和序号由系统自动编排。", field="doc_no_prefix")
    changed = [key for key, value in values.items() if getattr(row, key) != value]
    for key in changed:
        setattr(row, key, values[key])
    if changed:
        if row.id is None:
            db.session.add(row)         # the first save stores the tenant's row
            db.session.flush()
        audit.record("applications.settings", target=row, actor=actor, summary="修改依申请公开设置。")
    return bool(changed)


# --- the office's list: open applications on the clock, here and in the units below -------------

@dataclass(frozen=True)
class Row:
    """An application as the office's list shows it (plain values: nothing of another tenant stays
    in the session)."""
    id: int
    code: str
    name: str
    description: str
    channel: str
    status: str
    submitted_at: object
    received_on: date | None
    due_on: date | None
    left: int | None
    urgency: str
    tenant: Tenant

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


URGENCY_LABELS = {"overdue": "已逾期", "due_soon": "5 个工作日内到期", "paused": "期限中止", "ok": "正常",
                  "not_started": "待确认收到"}


def office_units(actor, tenant: Tenant) -> dict[int, Tenant]:
    """The tenant and the units below it that run this plugin and where `actor` may see applications."""
    units = db.session.scalars(select(Tenant).where(Tenant.path.startswith(tenant.path), Tenant.status == "active")
                               .order_by(Tenant.path))
    return {t.id: t for t in units if "applications" in (t.enabled_plugins or []) and t.kind in TENANT_KINDS
            and has_permission(actor, Permission.CONTENT_VIEW, t)}


def office_rows(actor, tenant: Tenant, *, status: str | None = None, descending: bool = False) -> list[Row]:
    """Applications of the tenant and its subtree (open ones unless `status` names another), the
    nearest due date first (or last), those not yet received at the end."""
    units = office_units(actor, tenant)
    if not units:
        return []
    wanted = [status] if status in STATUS_LABELS else list(OPEN_STATUSES)
    with across_tenants(units, reason="依申请公开：本级和下级单位办理中的申请"):
        rows = db.session.execute(select(Application.id, Application.code, Application.name, Application.description,
                                         Application.channel, Application.status, Application.submitted_at,
                                         Application.received_on, Application.due_on, Application.tenant_id)
                                  .where(Application.tenant_id.in_(units), Application.status.in_(wanted))).all()
    today, cal = china_today(), Calendar()
    result = []
    for r in rows:
        running = r.status in OPEN_STATUSES
        result.append(Row(r.id, r.code, r.name, r.description, r.channel, r.status, r.submitted_at, r.received_on,
                          r.due_on, clock.workdays_left(r, today, cal) if running else None,
                          clock.urgency(r, today, cal) if running else "", units[r.tenant_id]))
    far = date.max
    result.sort(key=lambda r: (r.due_on or far, r.id), reverse=descending)
    return result


def office_counts(actor, tenant: Tenant) -> dict[str, int]:
    """For the dashboard: open, due within 5 working days, overdue (the tenant and its subtree)."""
    return counts_of(office_rows(actor, tenant))


def counts_of(rows: list[Row]) -> dict[str, int]:
    """Open, due within 5 working days, overdue, awaiting receipt, of the open rows given."""
    rows = [r for r in rows if r.status in OPEN_STATUSES]
    return {"open": len(rows), "due_soon": sum(r.urgency == "due_soon" for r in rows),
            "overdue": sum(r.urgency == "overdue" for r in rows),
            "awaiting": sum(r.status == "awaiting_receipt" for r in rows)}
