"""索引号 stay unique and gap-free when several processes publish at once (PostgreSQL and SQLite)."""
from __future__ import annotations

import os

from core.accounts import SYSTEM, user_by_username
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import services
from tests.catalog.fixtures import leaf
from tests.conftest import worker_processes
from tests.catalog.publishers import publish_many

# Full size on PostgreSQL; SQLite serialises writers, two processes prove the same there.
PROCESSES = 4 if os.environ.get("TEST_DATABASE_URL") else 2
EACH = 8


def test_concurrent_publishing_from_several_processes(demo, migrated, runner, tmp_path):
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            services.set_self_publish(SYSTEM, town, True)
            item_id = leaf(town, "法律援助").id
            db.session.commit()
    token = runner.invoke(args=["users", "token", "li"]).output.strip().splitlines()[-1]
    ctx = worker_processes()
    start, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=publish_many, args=(migrated, str(tmp_path), token, item_id, EACH, start, results))
               for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    start.set()
    outcomes = [x for _ in workers for x in results.get(timeout=120)]
    for w in workers:
        w.join(timeout=60)
    failures = [o for o in outcomes if o[1] not in (200, 201)]
    assert failures == []
    numbers = [o[2] for o in outcomes]
    assert len(numbers) == PROCESSES * EACH == len(set(numbers))
    year = numbers[0].split("/")[1][:4]
    assert sorted(numbers) == [f"11451102X/{year}-{n:05d}" for n in range(1, PROCESSES * EACH + 1)]
    with demo.app_context():
        assert user_by_username("li") is not None
