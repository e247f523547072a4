"""The one clock: China's date whatever the server's zone, and no other reader of the system clock."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from core import clock
from tests.conftest import CLOCK_SHIM, ROOT, at_china

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated

# Calls that read the system clock; only core/clock.py may make them.
CLOCK_READS = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
               ("time", "time"), ("time", "localtime"), ("time", "gmtime"), ("time", "time_ns")}


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in CLOCK_READS:
            found.append(f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    return found


def test_only_the_clock_module_reads_the_system_clock():
    sources = [p for folder in ("core", "plugins") for p in (ROOT / folder).rglob("*.py")]
    assert len(sources) > 50
    offenders = [hit for p in sources if p != ROOT / "core" / "clock.py" for hit in _clock_reads(p)]
    assert offenders == []


def test_the_scanner_reports_a_clock_read(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import time\nfrom datetime import date, datetime\n"
                     "a = date.today()\nb = datetime.now()\nc = time.time()\nd = date(2026, 1, 1)\n")
    assert _clock_reads(probe) == ["probe.py:3 date.today()", "probe.py:4 datetime.now()", "probe.py:5 time.time()"]


@pytest.mark.parametrize("moment, china_day", [
    (datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc), date(2026, 12, 31)),
    (datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc), date(2027, 1, 1)),     # midnight in Beijing
    (datetime(2028, 2, 28, 16, 30, tzinfo=timezone.utc), date(2028, 2, 29)),
])
def test_china_today_turns_at_midnight_in_beijing_not_at_the_servers_midnight(moment, china_day):
    with at_china(moment):
        assert clock.china_today() == china_day
        assert clock.utcnow() .replace(microsecond=0, second=0) == moment
        assert clock.china_now().utcoffset().total_seconds() == 8 * 3600


def test_the_servers_time_zone_never_matters():
    # A process in Honolulu (UTC-10) at 2026-12-31 17:00 UTC: its own date is still the 31st, China's the 1st.
    script = ("from core import clock; import datetime as d; "
              "print(clock.china_today(), d.date.today())")
    env = {**os.environ, "TZ": "Pacific/Honolulu", "CMS_TEST_TODAY": "2026-12-31T17:00:00Z",
           "PYTHONPATH": str(CLOCK_SHIM)}
    env.pop("CMS_TEST_CLOCK_ANCHOR", None)
    out = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["2027-01-01", "2026-12-31"]
