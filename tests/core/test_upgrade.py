"""Upgrading a database that holds data from before site search: `cms db upgrade` indexes what was
published, so nothing published earlier is missing from search."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import select, MetaData, insert

from core.db import db
from tests.conftest import fresh_database, make_app


@pytest.fixture
def empty_database(tmp_path):
    with fresh_database(tmp_path, "cms_upgrade") as url:
        yield url


def filled(table, now, **values) -> dict:
    """`values`, plus an empty value of the right type for every other NOT NULL column."""
    from sqlalchemy import JSON, Boolean, DateTime, Integer
    for column in table.c:
        if column.name in values or column.nullable or column.primary_key:
            continue
        kind = column.type
        values[column.name] = (False if isinstance(kind, Boolean) else 0 if isinstance(kind, Integer)
                               else now if isinstance(kind, DateTime) else [] if isinstance(kind, JSON) else "")
    return values


@pytest.mark.builtin_plugins
@pytest.mark.owner
def test_upgrading_indexes_what_was_published_before_site_search(empty_database, tmp_path):
    app = make_app(empty_database, tmp_path)
    now = datetime(2026, 3, 1, 2, tzinfo=timezone.utc).replace(tzinfo=None)
    with app.app_context():
        # The schema as it was: core at 0004, every plugin branch at its head.
        upgrade(revision="0004_core")
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        for head in script.get_heads():
            if not head.endswith("_core"):
                # Each plugin as it was then: below the first of its revisions that needs a later core
                chain = []
                revision = script.get_revision(head)
                while revision is not None:
                    chain.append(revision)
                    revision = script.get_revision(revision.down_revision) if revision.down_revision else None
                revision = None
                for step in reversed(chain):          # oldest first
                    if any(d.endswith("_core") and int(d[:4]) > 4 for d in _as_tuple(step.dependencies)):
                        break
                    revision = step
                if revision is not None:
                    upgrade(revision=revision.revision)
        old = MetaData()
        with db.engine.begin() as conn:
            old.reflect(conn, only=["tenants", "catalog_items", "catalog_records", "audit_log"])
            assert "content_version" not in old.tables["tenants"].c            # really the old schema
            tenants, items, records = (old.tables[n] for n in ("tenants", "catalog_items", "catalog_records"))
            conn.execute(insert(tenants).values(**filled(tenants, now,
                id=1, slug="laoxian", name="老县", kind="district", path="/1/", intro="", contact={},
                enabled_plugins=["catalog"], status="active", sort_order=0, created_at=now, updated_at=now)))
            conn.execute(insert(items).values(**filled(items, now,
                id=1, tenant_id=1, domain_code="D01", position=1, name="政策文件", content_elements=[], legal_basis=[],
                time_limit="", responsible_body="", methods=[], channels=[], audience="全社会",
                audience_note="", levels=[], not_applicable=False, rule={}, created_at=now, updated_at=now)))
            conn.execute(insert(records), [
                filled(records, now, tenant_id=1, item_id=1, title=title, summary="", body="<p>升级前发布。</p>", doc_no=doc_no,
                     issuing_body="", status=status, validity="valid", disclosure="proactive", disclosure_reason="",
                     review_confirmed=True, return_note="", published_at=now if status == "published" else None,
                     created_at=now, updated_at=now)
                for title, doc_no, status in (("老县鲥鱼保护办法", "老政发〔2025〕3号", "published"),
                                              ("老县鲥鱼草稿", "", "draft"))])
            log = old.tables["audit_log"]
            assert "hash" not in log.c                                          # before the hash chain
            conn.execute(insert(log), [dict(at=now.replace(microsecond=123456), actor_name="system", tenant_id=1,
                                            action=f"old.{i}", object_type="", object_id="", summary=f"升级前的记录 {i}",
                                            ip="cli") for i in range(3)])
        db.engine.dispose()

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "已为站内搜索建立 1 条索引" in result.output                      # the draft is not indexed
    client = app.test_client()
    html = client.get("/laoxian/search?q=老政发[2025]3号").get_data(as_text=True)
    assert "共找到 1 条" in html and "老县<mark>鲥鱼" not in html and "老县鲥鱼保护办法" in html
    assert "共找到 1 条" in client.get("/laoxian/search?q=鲥鱼").get_data(as_text=True)
    # the log written before the chain existed is chained in its order, and new entries follow it
    from core import audit
    with app.app_context():
        assert [e.action for e in db.session.scalars(select(audit.AuditEntry).order_by(audit.AuditEntry.seq))] == [
            "old.0", "old.1", "old.2"]
        audit.record("new.entry", summary="升级后")
        db.session.commit()
        report = audit.verify_chain()
        assert report.ok and report.checked == 4, report.problems
    # a second upgrade has nothing to do
    again = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert again.exit_code == 0 and "已为站内搜索建立" not in again.output
    with app.app_context():
        db.engine.dispose()


def _as_tuple(value) -> tuple:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def test_upgrading_encrypts_the_second_factor_secrets_set_up_before(empty_database, tmp_path):
    """Core migration 0013: secrets stored in clear before it are encrypted in place, and read the
    same through the key; downgrading gives them back in clear."""
    from flask_migrate import downgrade
    from sqlalchemy import text
    from core.accounts import user_by_username
    app = make_app(empty_database, tmp_path, PLUGINS_OFF=["catalog", "opinions", "open_day", "gazette", "applications", "disclosure", "decisions"])
    now = datetime(2026, 3, 1, 2, tzinfo=timezone.utc).replace(tzinfo=None)
    with app.app_context():
        upgrade(revision="0012_core")
        old = MetaData()
        with db.engine.begin() as conn:
            old.reflect(conn, only=["users"])
            users = old.tables["users"]
            conn.execute(insert(users).values(**filled(users, now, id=1, username="zhao", password_hash="x",
                                                       totp_secret="JBSWY3DPEHPK3PXP", created_at=now, updated_at=now)))
        upgrade()
        stored = db.session.execute(text("SELECT totp_secret FROM users")).scalar()
        assert stored.startswith("v1:") and "JBSWY3DPEHPK3PXP" not in stored
        assert user_by_username("zhao").totp_secret == "JBSWY3DPEHPK3PXP"
        db.session.rollback()
        downgrade(revision="0012_core")
        assert db.session.execute(text("SELECT totp_secret FROM users")).scalar() == "JBSWY3DPEHPK3PXP"
