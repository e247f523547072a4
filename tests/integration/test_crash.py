"""A worker killed (SIGKILL) in the middle of a write leaves nothing half-written: its transaction
is gone, the audit chain still verifies, and the next write goes through."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import func, select

from core import audit
from core.db import db
from core.tenants import across_tenants
from tests.catalog.fixtures import make_record

REQUIRES_PLUGINS = ("catalog",)

WORKER = textwrap.dedent("""
    import sys, time
    from core import create_app
    app = create_app({"DATABASE_URL": sys.argv[1], "TESTING": True, "SECRET_KEY": "crash", "PAGE_CACHE": "off"})
    with app.app_context():
        from core.accounts import SYSTEM
        from core.db import db
        from core.tenants import tenant_by_slug, tenant_scope
        from plugins.catalog import services
        from tests.catalog.fixtures import leaf
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            item = leaf(town, "法律援助")
            for n in range(40):          # forty records, each audited and indexed, none committed
                record = services.create_record(SYSTEM, town, {"item_id": item.id, "title": f"崩溃测试记录{n}"})
                services.publish(SYSTEM, record, review_confirmed=True)
            db.session.flush()
            print("written", flush=True)
            time.sleep(120)
""")


def _count(model, *where) -> int:
    with across_tenants(None, reason="test check"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_worker_killed_mid_transaction_leaves_no_partial_rows(demo):
    from plugins.catalog.models import Record
    from core.search import SearchEntry
    with demo.app_context():
        url = demo.config["SQLALCHEMY_DATABASE_URI"]
        records, entries, log = _count(Record), _count(SearchEntry), _count(audit.AuditEntry)
    worker = subprocess.Popen([sys.executable, "-c", WORKER, url], stdout=subprocess.PIPE, text=True,
                              cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    try:
        assert worker.stdout.readline().strip() == "written"       # rows are in its open transaction
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    with demo.app_context():
        assert _count(Record, Record.title.like("崩溃测试%")) == 0
        assert (_count(Record), _count(SearchEntry), _count(audit.AuditEntry)) == (records, entries, log)
        assert audit.verify_chain().ok
        # The lock the dead worker held is gone: the next write goes through at once
        make_record("baishui", "法律援助", "崩溃之后的记录")
        assert _count(Record, Record.title == "崩溃之后的记录") == 1
        assert audit.verify_chain().ok
