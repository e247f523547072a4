"""`make test`: every stage of the check, one after the other, and the time each took at the end.

Stages: bandit; the whole suite on SQLite (two workers, random order); again on PostgreSQL
(browser tests once, on SQLite, plus one journey on PostgreSQL); then, as small one-process runs
side by side: tenant isolation with PostgreSQL's row-level security as the only wall, the core
tests with the built-in plugins switched off (core must not need them), and the
date-sensitive tests under the risky days.
One random-order seed for the whole run, printed first: RANDOMLY_SEED=N make test repeats it.
Stops at the first stage that fails (later stages would mostly fail the same way).
"""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from plugins_present import available_plugins, missing_for  # tests/ is on the path: python tests/stages.py

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# The days a date-dependent rule most often breaks on (CMS_TEST_TODAY, China's date or a moment):
# a month's first day, a year's last evening in UTC (already the next year in China), a Spring
# Festival holiday, a make-up working Saturday (调休) and a leap day. The year-end moment also runs
# with the server in another zone: the product's "today" never depends on it.
RISKY_DAYS = [
    ("月初", "2027-03-01", None),
    ("年末 16:30 UTC（中国已是次年）", "2026-12-31T16:30:00+00:00", "America/New_York"),
    ("春节假期", "2026-02-17", None),
    ("调休上班的星期六", "2026-02-28", None),
    ("闰日", "2028-02-29", None),
]

# Tests of tenant isolation, run again with row-level security as the only wall.
ISOLATION_TESTS = [
    "tests/core/test_tenancy.py", "tests/core/test_rls.py", "tests/core/test_attachments.py",
    "tests/integration/test_site_search.py", "tests/core/test_api.py", "tests/catalog/test_isolation.py",
    "tests/gazette/test_isolation.py", "tests/opinions/test_isolation_and_exports.py",
    "tests/open_day/test_pages_and_admin.py",
]


def _present(files: list[str]) -> list[str]:
    """The files whose plugins this run has (a run that names its files bypasses pytest's own
    leaving out of absent plugins' tests)."""
    available = available_plugins()
    return [f for f in files if not missing_for(ROOT / f, available)]


def _dated_files() -> list[str]:
    """The test files that hold dated tests: collecting only those saves each day's run importing
    and collecting the whole suite."""
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("test_*.py")
                  if "mark.dated" in path.read_text(encoding="utf-8"))


BUILT_IN_PLUGINS = "catalog,opinions,open_day,gazette,applications,disclosure,decisions"
def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
        return True
    except OSError:
        return False


def _pytest(*args: str) -> list[str]:
    return [str(BIN / "pytest"), "-q", "--durations=8", *args]


def _side_by_side(runs: list[tuple[str, list[str], dict]], at_once: int) -> list[tuple[str, float, bool]]:
    results: list[tuple[str, float, bool]] = []
    pending = list(runs)
    running: list[tuple[str, subprocess.Popen, float, tempfile._TemporaryFileWrapper]] = []
    while pending or running:
        while pending and len(running) < at_once:
            label, command, env = pending.pop(0)
            out = tempfile.TemporaryFile("w+")
            running.append((label, subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT),
                            time.monotonic(), out))
        time.sleep(0.2)
        for entry in [r for r in running if r[1].poll() is not None]:
            label, process, started, out = entry
            running.remove(entry)
            out.seek(0)
            print(f"\n== {label} ==\n{out.read()}", end="", flush=True)
            out.close()
            results.append((label, time.monotonic() - started, process.returncode == 0))
    return results


def main() -> int:
    begun = time.monotonic()
    seed = os.environ.get("RANDOMLY_SEED") or str(random.randrange(10**9))
    workers = os.environ.get("TEST_WORKERS", "2")
    order = [f"--randomly-seed={seed}"]
    parallel = ["-n", workers, "--dist", "loadgroup"]
    print(f"随机顺序种子 random-order seed: {seed}   (重复这一顺序：RANDOMLY_SEED={seed} make test)", flush=True)

    sqlite = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    pg = {**os.environ, "TEST_DATABASE_URL": os.environ.get("TEST_DATABASE_URL") or PG_TEST_URL}
    stages: list[tuple[str, list[str], dict]] = [
        ("bandit (core/, plugins/)", [str(BIN / "bandit"), "-q", "-r", "core", "plugins", "-ll"], os.environ),
        ("SQLite: whole suite", _pytest(*parallel, *order), sqlite),
    ]
    if _postgres_answers():
        stages += [
            ("PostgreSQL: whole suite (browser: one journey)",
             _pytest(*parallel, *order, "-m", "not browser or postgres_journey"), pg),
        ]
    else:
        print("PostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL stages are not run.", flush=True)
    # Small runs in one process each, side by side at the end: isolation under row-level security
    # alone, the core without the built-in plugins, and the dated tests under each risky day.
    days = [("SQLite: core tests and the access matrix with the built-in plugins switched off",
             _pytest(*order, "tests/core", "tests/test_access_matrix.py"),
             {**sqlite, "PLUGINS_OFF": BUILT_IN_PLUGINS})]
    if _postgres_answers():
        days.insert(0, ("PostgreSQL: isolation with row-level security alone",
                        _pytest(*order, "-m", "not orm_filter and not owner", *_present(ISOLATION_TESTS)),
                        {**pg, "TEST_RLS_ONLY": "1"}))
    dated_files = _present(_dated_files())
    for label, day, zone in RISKY_DAYS:
        env = {**sqlite, "CMS_TEST_TODAY": day, **({"TZ": zone} if zone else {})}
        days.append((f"dated tests on {day} {label}" + (f", TZ={zone}" if zone else ""),
                     _pytest(*order, "-m", "dated and not same_every_day", *dated_files), env))

    done: list[tuple[str, float, bool]] = []
    for label, command, env in stages:
        print(f"\n== {label} ==", flush=True)
        started = time.monotonic()
        ok = subprocess.call(command, cwd=ROOT, env=env) == 0
        done.append((label, time.monotonic() - started, ok))
        if not ok:
            break
    else:
        # Each is a small run in one process (its demo data built once); they run side by side, as
        # many at once as there are workers, their output printed as each ends.
        done += _side_by_side(days, int(workers) or 1)
    stages += days
    print("\n== time of each stage ==")
    for label, seconds, ok in done:
        print(f"{seconds:7.1f} s  {'ok  ' if ok else 'FAIL'}  {label}")
    print(f"{time.monotonic() - begun:7.1f} s  in all (the last runs side by side, {int(workers) or 1} at once; seed {seed})")
    skipped = len(stages) - len(done)
    if skipped:
        print(f"{skipped} later stage(s) not run after the failure.")
    return 0 if all(ok for _, _, ok in done) and not skipped else 1


if __name__ == "__main__":
    sys.exit(main())
