"""Places are never overbooked and the waitlist moves up exactly once, under concurrent requests
from several processes (run on SQLite and on PostgreSQL). Bounded: 200 registrations, 10 cancellations
on PostgreSQL; SQLite serialises writers, so a smaller race (60 registrations from 2 processes)
proves the same there in a fraction of the time and without `database is locked` under load."""
from __future__ import annotations

import os
from collections import Counter

from sqlalchemy import func, select

from core.db import db
from core.notify import Notification
from core.tenants import across_tenants
from plugins.open_day.models import OpenDay, Registration
from tests.conftest import worker_processes
from tests.open_day.fixtures import make_event, register
from tests.open_day.workers import cancel_many, register_many

FULL_SIZE = bool(os.environ.get("TEST_DATABASE_URL"))
PROCESSES, THREADS = (4, 5) if FULL_SIZE else (2, 3)
PLACES, PEOPLE = (50, 200) if FULL_SIZE else (15, 60)


def _run(target, chunks, *args):
    ctx = worker_processes()
    start, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=target, args=(*args[:2], *([chunk] if target is cancel_many else [args[2], chunk]),
                                                 THREADS, start, results)) for chunk in chunks]
    for w in workers:
        w.start()
    start.set()
    outcomes = [x for _ in workers for x in results.get(timeout=180)]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    return outcomes


def _counts(event_id: int):
    with across_tenants(None, reason="test check"):
        taken = db.session.scalar(select(OpenDay.taken).where(OpenDay.id == event_id))
        statuses = dict(db.session.execute(select(Registration.status, func.count())
                                           .where(Registration.open_day_id == event_id).group_by(Registration.status)).all())
    return taken, statuses


def test_concurrent_registrations_never_overbook_and_queue_the_rest(demo, migrated, tmp_path):
    with demo.app_context():
        eid = make_event(places=PLACES)
    phones = [f"1390000{n:04d}" for n in range(PEOPLE)]
    outcomes = _run(register_many, [phones[i::PROCESSES] for i in range(PROCESSES)], migrated, str(tmp_path), eid)
    assert Counter(code for code, _ in outcomes) == {201: PEOPLE}, Counter(outcomes)
    assert Counter(status for _, status in outcomes) == {"confirmed": PLACES, "waitlisted": PEOPLE - PLACES}
    with demo.app_context():
        assert _counts(eid) == (PLACES, {"confirmed": PLACES, "waitlisted": PEOPLE - PLACES})


def test_without_a_waitlist_the_rest_are_told_it_is_full(demo, migrated, tmp_path):
    with demo.app_context():
        eid = make_event(places=20, waitlist_enabled=False)
    phones = [f"1370000{n:04d}" for n in range(60)]
    outcomes = _run(register_many, [phones[i::PROCESSES] for i in range(PROCESSES)], migrated, str(tmp_path), eid)
    assert Counter(outcomes) == {(201, "confirmed"): 20, (409, "名额已满。"): 40}
    with demo.app_context():
        assert _counts(eid) == (20, {"confirmed": 20})


def test_racing_cancellations_promote_each_waiting_person_exactly_once(demo, migrated, tmp_path):
    with demo.app_context():
        eid = make_event(places=20)
        codes = [register("baishui", eid, n)[0] for n in range(30)]
    outcomes = _run(cancel_many, [codes[:10][i::PROCESSES] for i in range(PROCESSES)], migrated, str(tmp_path))
    assert Counter(outcomes) == {(200, "cancelled"): 10}
    with demo.app_context():
        assert _counts(eid) == (20, {"confirmed": 20, "cancelled": 10})
        with across_tenants(None, reason="test check"):
            promoted = db.session.scalars(select(Notification.recipient).where(Notification.kind == "open_day.promoted")).all()
        assert sorted(promoted) == [f"1380000{n:04d}" for n in range(20, 30)]  # each once, in order of the queue
