"""Moves the clock of a test process to the day the test run pretends it is (CMS_TEST_TODAY).

The test suite's conftest calls `travel_from_environment()` itself; this folder is also put first
on PYTHONPATH for every process a test starts (gunicorn workers, spawned writers, `cms` commands),
where Python runs this file at start-up, so a whole run agrees on one clock. Every process counts
from the same real instant (CMS_TEST_CLOCK_ANCHOR), so they stay in step to the second. Test code
only: the product reads its time in core/clock.py and has no switch to fake it.
"""
from __future__ import annotations

import os
import re
import time
from datetime import datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_travel = None


def parse_test_today(value: str) -> datetime:
    """`2027-02-08` is ten in the morning of that day in China; an ISO moment with its zone
    (`2026-12-31T16:30Z`, `2027-01-01T00:30+08:00`) is that moment; without a zone, China's time."""
    value = value.strip()
    if _DATE.match(value):
        return datetime.fromisoformat(value + "T10:00:00").replace(tzinfo=CHINA_TZ)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


def travel_from_environment() -> datetime | None:
    """Start the run's clock when CMS_TEST_TODAY is set; returns the moment it was started at."""
    global _travel
    spec = os.environ.get("CMS_TEST_TODAY", "").strip()
    if not spec or _travel is not None:
        return None
    destination = parse_test_today(spec)
    real_now = time.time()
    anchor = float(os.environ.setdefault("CMS_TEST_CLOCK_ANCHOR", repr(real_now)))
    destination += timedelta(seconds=real_now - anchor)
    import time_machine
    _travel = time_machine.travel(destination, tick=True)
    _travel.start()
    return destination


if __name__ == "sitecustomize":
    travel_from_environment()
