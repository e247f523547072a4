"""信息处理费 (国办函〔2020〕109号《政府信息公开信息处理费管理办法》): what an application may be
charged, the fee notice with its payment deadline, payment, waiver, and the lapse of an
application left unpaid.

(Article numbers are left out on purpose: the rules are cited by the 办法's name.)
- Charged by count (按件) or by volume (按量), the office choosing per application, never both for
  one application.
- 按件: per applicant and calendar month, the applicant's 1st to 10th application free, the 11th to
  30th 100元 each, then bands of 10 applications, each band 100元 dearer per application
  (31–40: 200元, 41–50: 300元, ...).
- 按量: per application, pages 1–30 free, 31–100 10元 a page, 101–200 20元 a page, from 201 40元 a page.
- The applicant pays within 20 working days of the notice; unpaid by then, the application is
  treated as given up (answer 其他处理, 申请人逾期未按收费通知要求缴纳费用).
- The days from the notice to the payment do not count toward the answer's period (条例 第三十三条).
- The office may waive the fee (e.g. 确有经济困难), recording why.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.plugin_api import Calendar, china_date, china_today, Conflict, db, DomainError, Permission, require_permission
from plugins.applications.models import Application, ApplicationEvent
from plugins.applications.services import parse_day, record_event, refresh_due

FREE_COUNT = 10
FIRST_BAND_END = 30              # the 11th to 30th application: 100元 each
FIRST_BAND_YUAN = 100
BAND_SIZE = 10                   # then every 10 applications, 100元 more each
BAND_STEP_YUAN = 100
# (last page of the band, yuan per page): pages 1–30 free, 31–100, 101–200, from 201.
PAGE_BANDS = ((30, 0), (100, 10), (200, 20), (None, 40))
PAYMENT_WORKDAYS = 20
BASIS_LABELS = {"count": "按件计收", "pages": "按量计收"}


def count_fee(ordinal: int) -> int:
    """The fee of an applicant's `ordinal`-th application in a calendar month (按件)."""
    if ordinal <= FREE_COUNT:
        return 0
    if ordinal <= FIRST_BAND_END:
        return FIRST_BAND_YUAN
    bands_over = -(-(ordinal - FIRST_BAND_END) // BAND_SIZE)      # 31–40 → 1, 41–50 → 2, ...
    return FIRST_BAND_YUAN + BAND_STEP_YUAN * bands_over


def pages_fee(pages: int) -> int:
    """The fee of the information provided for one application, by its pages (按量)."""
    total, below = 0, 0
    for last, per_page in PAGE_BANDS:
        upper = pages if last is None else min(pages, last)
        if upper > below:
            total += (upper - below) * per_page
        if last is None or pages <= last:
            break
        below = last
    return total


def _same_applicant(application: Application):
    """The clause selecting the same applicant's applications: by ID number for a person, by the
    统一社会信用代码 for an organisation, else by name and phone."""
    if application.applicant_kind == "citizen" and application.id_number:
        return Application.id_number == application.id_number
    if application.applicant_kind != "citizen" and application.org_code:
        return Application.org_code == application.org_code
    return (Application.name == application.name) & (Application.phone == application.phone)


def monthly_ordinal(application: Application) -> int:
    """Which of the applicant's applications to this office in the calendar month of its receipt
    this one is (1 for the first), in the order they were received."""
    day = application.received_on
    if day is None:
        raise DomainError("申请尚未确认收到，不能计算信息处理费。")
    first = day.replace(day=1)
    earlier = db.session.scalar(select(func.count()).select_from(Application).where(
        Application.tenant_id == application.tenant_id, Application.id != application.id,
        _same_applicant(application), Application.received_on >= first,
        (Application.received_on < day) | ((Application.received_on == day) & (Application.id < application.id))))
    return earlier + 1


def quote(application: Application, basis: str, pages: int | None = None) -> int:
    """The fee the office may charge for this application on `basis` ("count" or "pages")."""
    if basis == "count":
        return count_fee(monthly_ordinal(application))
    if basis == "pages":
        try:
            pages = int(pages)
        except (TypeError, ValueError):
            raise DomainError("按量计收时，请填写所提供信息的页数。", field="pages") from None
        if pages < 1:
            raise DomainError("页数应为正整数。", field="pages")
        return pages_fee(pages)
    raise DomainError("请选择按件计收或按量计收。", field="basis")


def notify_fee(actor, application: Application, basis: str, pages: int | None = None,
               deadline=None) -> int:
    """The fee notice (收费通知): the basis, the amount and the payment deadline (20 working days
    from today unless another later day is given); returns the fee in yuan."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "open":
        raise Conflict("只有办理中的申请可以发出收费通知。")
    if application.fee_basis:
        raise Conflict("这份申请已经发出过收费通知；同一申请不得同时按件和按量收费"
                       "（《政府信息公开信息处理费管理办法》）。")
    fee = quote(application, basis, pages)
    if fee == 0:
        raise DomainError("按规定这份申请不收取信息处理费（按件：每月前 10 件免费；按量：30 页以内免费）。",
                          field="basis")
    today = china_today()
    until = Calendar().add_workdays(today, PAYMENT_WORKDAYS) if deadline in (None, "") else \
        parse_day(deadline, "缴费期限", "deadline")
    if until <= today:
        raise DomainError("缴费期限应晚于今天。", field="deadline")
    application.fee_basis, application.fee_yuan, application.fee_due_on = basis, fee, until
    detail = f"第 {monthly_ordinal(application)} 件" if basis == "count" else f"{int(pages)} 页"
    record_event(application, "fee_notified", f"发出收费通知：{BASIS_LABELS[basis]}（本月{detail}），信息处理费 {fee} 元，"
                 f"请于 {until.isoformat()} 前缴纳；逾期未缴纳视为放弃申请。收费通知至缴费期间不计入答复期限。", actor)
    return fee


def _notice_day(application: Application) -> date:
    at = db.session.scalar(select(ApplicationEvent.at).where(
        ApplicationEvent.application_id == application.id, ApplicationEvent.kind == "fee_notified")
        .order_by(ApplicationEvent.id.desc()).limit(1))
    return china_date(at) if at is not None else china_today()


def _owed(application: Application) -> None:
    if not application.fee_basis:
        raise Conflict("这份申请没有收费通知。")
    if application.fee_paid_on is not None or application.fee_waived:
        raise Conflict("这份申请的信息处理费已经缴纳或减免。")
    if application.status != "open":
        raise Conflict("只有办理中的申请可以登记缴费或减免。")


def _resume_clock(application: Application, until: date) -> int:
    """The working days from the notice to `until` are added to the period: they do not count."""
    cal = Calendar()
    paused = cal.workdays_between(_notice_day(application), until)
    application.paused_days = (application.paused_days or 0) + paused
    refresh_due(application, cal)
    return paused


def record_payment(actor, application: Application, on) -> None:
    """The applicant paid on `on` (by the deadline): the clock runs again."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    _owed(application)
    day = parse_day(on, "缴费日期", "paid_on")
    if day > china_today():
        raise DomainError("缴费日期不能晚于今天。", field="paid_on")
    if day > application.fee_due_on:
        raise DomainError(f"缴费日期晚于缴费期限（{application.fee_due_on.isoformat()}），申请应按逾期未缴费处理。",
                          field="paid_on")
    if day < _notice_day(application):
        raise DomainError("缴费日期不能早于收费通知。", field="paid_on")
    application.fee_paid_on = day
    paused = _resume_clock(application, day)
    record_event(application, "fee_paid", f"申请人已于 {day.isoformat()} 缴纳信息处理费 {application.fee_yuan} 元；"
                 f"收费通知至缴费的 {paused} 个工作日不计入期限，答复期限至 {application.due_on.isoformat()}。", actor)


def waive(actor, application: Application, reason: str) -> None:
    """The fee is waived, with the reason recorded: the clock runs again from today."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    _owed(application)
    if not (reason or "").strip():
        raise DomainError("请写明减免信息处理费的理由。", field="reason")
    application.fee_waived, application.fee_waiver_reason = True, reason.strip()
    _resume_clock(application, china_today())
    record_event(application, "fee_waived", f"减免信息处理费 {application.fee_yuan} 元，理由：{reason.strip()}；"
                 f"答复期限至 {application.due_on.isoformat()}。", actor)


def lapse_unpaid(actor, application: Application) -> None:
    """Unpaid by the deadline: the office no longer handles it, counted under 其他处理."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    _owed(application)
    today = china_today()
    if today <= application.fee_due_on:
        raise DomainError(f"缴费期限（{application.fee_due_on.isoformat()}）还没有过。")
    application.answer, application.answer_reason = "other", "unpaid"
    application.answered_on = application.closed_on = today
    application.status = "closed"
    record_event(application, "fee_lapsed", "申请人逾期未按收费通知要求缴纳费用，不再处理该申请"
                 "（《政府信息公开信息处理费管理办法》）。", actor)


def unpaid_past_deadline() -> list[Application]:
    """The current tenant's open applications whose fee deadline has passed unpaid."""
    return list(db.session.scalars(select(Application).where(
        Application.status == "open", Application.fee_basis != "", Application.fee_paid_on.is_(None),
        Application.fee_waived.is_(False), Application.fee_due_on < china_today()).order_by(Application.fee_due_on)))
