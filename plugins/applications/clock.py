"""The statutory clock of an application (政府信息公开条例, 2019), on the working-day calendar
(core.workdays: Chinese holidays and make-up working days) and China's date.

- 第三十一条: the day an application is received: in person, the day it is handed in; by post, the
  day the office signs for it (an ordinary letter: the day the office confirms with the applicant);
  online and by fax, the day both sides confirm.
- 第三十三条: the answer within 20 working days of receipt; one extension of at most 20 working
  days, approved by the head of the office's work, the applicant told.
- 第三十条: a correction (补正) asked once, within 7 working days of receipt; the period then runs
  from the day the corrected application arrives; not corrected in time without good reason:
  treated as withdrawn.
- 第三十二条 and 第三十三条第三款: a third party has 15 working days to give its view; the time it
  takes does not count toward the period.

Periods start the day after (民法典 第二百零一条): the 20th working day after receipt is the last day.
"""
from __future__ import annotations

from datetime import date

from core.plugin_api import Calendar

REPLY_WORKDAYS = 20
EXTENSION_MAX_WORKDAYS = 20
CORRECTION_WINDOW_WORKDAYS = 7
THIRD_PARTY_MAX_WORKDAYS = 15
DUE_SOON_WORKDAYS = 5          # the dashboard's "due within 5 working days"


def start_of_period(application) -> date | None:
    """The day the period runs from: the corrected application's arrival, else the receipt."""
    return application.corrected_on or application.received_on


def due_date(application, cal: Calendar) -> date | None:
    """The last day to answer: 20 working days after the start, plus the extension, plus the working
    days spent waiting for a third party; None until the application is received."""
    start = start_of_period(application)
    if start is None:
        return None
    return cal.add_workdays(start, REPLY_WORKDAYS + (application.extended_days or 0) + (application.paused_days or 0))


def correction_window_ends(application, cal: Calendar) -> date | None:
    """The last day a correction may be asked (7 working days after receipt)."""
    if application.received_on is None:
        return None
    return cal.add_workdays(application.received_on, CORRECTION_WINDOW_WORKDAYS)


def third_party_days(start: date, end: date, cal: Calendar) -> int:
    """Working days spent waiting for a third party, from the day after the request was sent to the
    day its view arrived, never more than the 15 it is given."""
    return min(cal.workdays_between(start, end), THIRD_PARTY_MAX_WORKDAYS)


def workdays_left(application, today: date, cal: Calendar) -> int | None:
    """Working days left until the due date (0 on the due date, negative once overdue)."""
    due = application.due_on
    if due is None:
        return None
    if today <= due:
        return cal.workdays_between(today, due)
    return -cal.workdays_between(due, today)


def urgency(application, today: date, cal: Calendar) -> str:
    """overdue / due_soon / ok / paused (the clock stopped) / not_started."""
    if application.status in ("correction", "third_party"):
        return "paused"
    left = workdays_left(application, today, cal)
    if left is None:
        return "not_started"
    if left < 0:
        return "overdue"
    return "due_soon" if left <= DUE_SOON_WORKDAYS else "ok"
