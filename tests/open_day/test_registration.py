"""Registration: the window, duplicates, groups, the waitlist and promotion, cancellation."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.accounts import SYSTEM
from core.db import db
from core.errors import Conflict, DomainError
from core.notify import Notification
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.open_day import services
from plugins.open_day.models import OpenDay, Registration
from tests.open_day.fixtures import make_event, register

# Date-dependent: make test runs this module again under the risky days (tests/stages.py).
pytestmark = pytest.mark.dated


def _state(event_id: int):
    with across_tenants(None, reason="test check"):
        event = db.session.get(OpenDay, event_id)
        db.session.refresh(event)
        rows = db.session.execute(select(Registration.status, func.count()).where(Registration.open_day_id == event_id)
                                  .group_by(Registration.status)).all()
        return event.taken, dict(rows)


@pytest.mark.parametrize("state, message", [("published", "报名将于"), ("closed", "报名已于"), ("held", "报名已于")])
def test_registration_outside_the_window_is_refused_and_changes_nothing(demo, ctx, state, message):
    eid = make_event(state=state)
    with pytest.raises(DomainError, match=message):
        register("baishui", eid, 1)
    db.session.rollback()
    assert _state(eid) == (0, {})


def test_a_duplicate_phone_and_an_oversized_group_are_refused(demo, ctx):
    eid = make_event(group=3)
    register("baishui", eid, 1, size=2)
    with pytest.raises(Conflict, match="已经报名"):
        register("baishui", eid, 1)
    db.session.rollback()
    with pytest.raises(DomainError, match="最多可带 2 位同行人"):
        register("baishui", eid, 2, size=4)
    db.session.rollback()
    assert _state(eid) == (2, {"confirmed": 1})


@pytest.mark.parametrize("data, message", [
    ({"phone": "12345"}, "11 位手机号码"), ({"name": " "}, "请填写姓名"), ({"consent": False}, "勾选同意"),
])
def test_bad_details_are_refused(demo, ctx, data, message):
    eid = make_event()
    with tenant_scope(tenant_by_slug("baishui")):
        event = db.session.get(OpenDay, eid)
        with pytest.raises(DomainError, match=message):
            services.register(event, {"name": "张三", "phone": "13800001111", "consent": True, **data})


def test_id_numbers_are_only_kept_masked(demo, ctx):
    eid = make_event(require_id_number=True)
    with pytest.raises(DomainError, match="18 位居民身份证号码"):
        register("baishui", eid, 1)
    db.session.rollback()
    code, _ = register("baishui", eid, 2, id_number="32010219900101123x")
    with tenant_scope(tenant_by_slug("baishui")):
        assert services.registration_by_code(code).id_number_masked == "320102********123X"


def test_full_means_waitlist_in_order_and_cancellation_promotes_exactly_once(demo, ctx):
    eid = make_event(places=3, group=2)
    codes = [register("baishui", eid, n)[0] for n in range(3)]
    waiting = [register("baishui", eid, n, size=2 if n == 4 else 1) for n in range(3, 6)]
    assert [s for _, s in waiting] == ["waitlisted"] * 3
    assert _state(eid) == (3, {"confirmed": 3, "waitlisted": 3})
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        assert services.cancel_registration(services.registration_by_code(codes[0]), by="self") is True
        assert services.cancel_registration(services.registration_by_code(codes[0]), by="self") is False  # idempotent
        db.session.commit()
    # The head of the queue (person 3) moves up; person 4 (a group of 2) does not fit yet.
    assert _state(eid) == (3, {"confirmed": 3, "waitlisted": 2, "cancelled": 1})
    with tenant_scope(town):
        assert services.registration_by_code(waiting[0][0]).status == "confirmed"
        services.cancel_registration(services.registration_by_code(codes[1]), by="staff", actor=SYSTEM)
        db.session.commit()
    # One place free: person 4's group of 2 does not fit, and person 5 waits behind them (strict order).
    assert _state(eid) == (2, {"confirmed": 2, "waitlisted": 2, "cancelled": 2})
    with tenant_scope(town):
        services.cancel_registration(services.registration_by_code(codes[2]), by="self")
        db.session.commit()
        assert services.registration_by_code(waiting[1][0]).status == "confirmed"
        assert services.registration_by_code(waiting[2][0]).status == "waitlisted"
        assert services.waitlist_position(services.registration_by_code(waiting[2][0])) == 1
    assert _state(eid) == (3, {"confirmed": 2, "waitlisted": 1, "cancelled": 3})
    with across_tenants(None, reason="test check"):
        kinds = [n.kind for n in db.session.scalars(select(Notification).order_by(Notification.id))]
    assert kinds.count("open_day.promoted") == 2 and kinds.count("open_day.waitlisted") == 3


def test_newcomers_queue_behind_people_already_waiting(demo, ctx):
    eid = make_event(places=2, group=2)
    first, _ = register("baishui", eid, 1)
    register("baishui", eid, 2)
    register("baishui", eid, 3, size=2)  # waits
    with tenant_scope(tenant_by_slug("baishui")):
        services.cancel_registration(services.registration_by_code(first), by="self")
        db.session.commit()
    # One place free, but the head needs two: a newcomer for one does not jump the queue.
    assert register("baishui", eid, 4)[1] == "waitlisted"


def test_no_waitlist_means_full(demo, ctx):
    eid = make_event(places=1, waitlist_enabled=False)
    register("baishui", eid, 1)
    with pytest.raises(Conflict, match="名额已满"):
        register("baishui", eid, 2)


def test_self_cancellation_stops_at_the_deadline(demo, ctx):
    from datetime import timedelta

    from core.clock import utcnow
    eid = make_event()
    code, _ = register("baishui", eid, 1)
    with tenant_scope(tenant_by_slug("baishui")):
        event = db.session.get(OpenDay, eid)
        event.cancel_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
        with pytest.raises(DomainError, match="取消报名已于"):
            services.cancel_registration(services.registration_by_code(code), by="self")


def test_more_places_promote_the_waitlist_and_fewer_than_taken_is_refused(demo, ctx):
    eid = make_event(places=2)
    register("baishui", eid, 1)
    register("baishui", eid, 2)
    waiting, _ = register("baishui", eid, 3)
    with tenant_scope(tenant_by_slug("baishui")):
        event = db.session.get(OpenDay, eid)
        with pytest.raises(DomainError, match="已有 2 人报名成功，名额不能少于这个数"):
            services.update_event(SYSTEM, event, {"places": 1})
        db.session.rollback()
        event = db.session.get(OpenDay, eid)
        services.update_event(SYSTEM, event, {"places": 3})
        db.session.commit()
        assert services.registration_by_code(waiting).status == "confirmed"


def test_cancelling_the_event_tells_every_registrant(demo, ctx):
    eid = make_event(places=1)
    register("baishui", eid, 1)
    register("baishui", eid, 2)
    with tenant_scope(tenant_by_slug("baishui")):
        event = db.session.get(OpenDay, eid)
        with pytest.raises(DomainError, match="必须说明原因"):
            services.cancel_event(SYSTEM, event, "")
        assert services.cancel_event(SYSTEM, event, "因台风预警取消") == 2
        db.session.commit()
    assert _state(eid) == (0, {"cancelled": 2})
    with across_tenants(None, reason="test check"):
        bodies = [n.body for n in db.session.scalars(select(Notification).where(Notification.kind == "open_day.cancelled"))]
    assert len(bodies) == 2 and all("因台风预警取消" in b for b in bodies)
