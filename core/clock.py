"""The one clock of the product: every "now" and every "today" is read here.

Dates people see and deadlines are China's (UTC+8, one zone, no daylight saving), whatever zone the
server runs in. Timestamps are stored as UTC. Nothing else in core/ or plugins/ reads the system
clock (a test greps for it), so a test that moves this clock moves the whole product.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")


def utcnow() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def timestamp() -> float:
    """Seconds since the epoch (session timers, TOTP steps)."""
    return utcnow().timestamp()


def china_now() -> datetime:
    """The current moment in China's time."""
    return utcnow().astimezone(CHINA_TZ)


def china_today() -> date:
    """Today's date in China: what a clerk's calendar on the wall says."""
    return china_now().date()


def china_date(moment: datetime) -> date:
    """The date in China of a stored (aware) moment."""
    return moment.astimezone(CHINA_TZ).date()


def china_moment(day: date, at: time = time(0)) -> datetime:
    """The UTC moment of a time of day on a date in China."""
    return datetime.combine(day, at, tzinfo=CHINA_TZ).astimezone(timezone.utc)
