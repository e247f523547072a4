"""The audit log as a hash chain: append-only in the database, tampering found by `cms audit verify`,
retention that keeps the chain verifiable, export."""
from __future__ import annotations

import csv
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from core import audit
from core.audit import AuditChain, AuditEntry, verify_chain
from core.clock import utcnow
from core.db import db


def _write(n: int) -> None:
    for i in range(n):
        audit.record("test.action", summary=f"第 {i} 次操作", actor_name="tester")
    db.session.commit()


@contextmanager
def triggers_off():
    """What an attacker with the database owner's rights could do: switch the guard off."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        yield
        db.session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    else:
        rows = db.session.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                       "AND tbl_name = 'audit_log'")).all()
        for name, _ in rows:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        yield
        for _, sql in rows:
            db.session.execute(text(sql))
    db.session.commit()


def test_entries_are_chained_in_order(ctx):
    _write(5)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "" and all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))
    assert db.session.get(AuditChain, 1).last_hash == entries[-1].hash
    report = verify_chain()
    assert report.ok and report.checked == 5


def test_a_rolled_back_transaction_leaves_no_gap(ctx):
    _write(2)
    audit.record("test.action", summary="回滚")
    db.session.flush()
    db.session.rollback()
    _write(1)
    assert [e.seq for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))] == [1, 2, 3]
    assert verify_chain().ok


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET summary = '改过' WHERE seq = 2",
    "DELETE FROM audit_log WHERE seq = 2",
])
def test_the_database_refuses_to_change_the_log(ctx, statement):
    _write(3)
    # The triggers refuse it; a role without UPDATE on the log (the app's, see core.security.rls) is refused sooner.
    with pytest.raises(DatabaseError, match="append-only|permission denied"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert verify_chain().ok


@pytest.mark.owner
def test_verify_finds_an_edited_entry(ctx, runner):
    _write(4)
    with triggers_off():
        db.session.execute(text("UPDATE audit_log SET summary = '删除了一条记录' WHERE seq = 3"))
    report = verify_chain()
    assert report.problems == [f"第 3 条记录（编号 {_id(3)}）的内容被改动过：哈希不符。"]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "第 3 条记录" in result.output


@pytest.mark.owner
def test_verify_finds_a_removed_entry_and_a_cut_tail(ctx):
    _write(5)
    with triggers_off():
        db.session.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    problems = verify_chain().problems
    assert "第 2 条到第 2 条记录缺失。" in problems and any("不衔接" in p for p in problems)
    with triggers_off():
        db.session.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    assert any("最新的记录被删除了" in p for p in verify_chain().problems)


def test_verify_finds_an_entry_written_around_the_chain(ctx):
    _write(2)
    db.session.execute(AuditEntry.__table__.insert().values(at=utcnow(), action="forged", actor_name="x"))
    db.session.commit()
    assert any("不在哈希链上" in p for p in verify_chain().problems)


@pytest.mark.owner
def test_purge_keeps_the_chain_verifiable_and_is_audited(ctx, runner):
    _write(3)
    old = utcnow() - timedelta(days=400)
    with triggers_off():   # back-date the first two entries, and re-hash them as if written then
        previous = ""
        for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all():
            prev = previous
            values = {k: getattr(entry, k) for k in audit.HASHED_FIELDS}
            if entry.seq <= 2:
                values["at"] = old
            digest = audit.entry_hash(values, prev)
            db.session.execute(AuditEntry.__table__.update().where(AuditEntry.id == entry.id).values(
                at=values["at"], prev_hash=prev, hash=digest))
            previous = digest
        db.session.execute(AuditChain.__table__.update().values(last_hash=previous))
    assert verify_chain().ok
    assert "有 2 条" in runner.invoke(args=["audit", "purge", "--dry-run"]).output
    result = runner.invoke(args=["audit", "purge"])
    assert result.exit_code == 0 and "已删除" in result.output and "2 条" in result.output
    remaining = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in remaining] == [3, 4] and remaining[-1].action == "audit.purge"
    report = verify_chain()
    assert report.ok, report.problems
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_retention_is_never_shorter_than_six_months(app):
    def days(config):
        return round((utcnow() - audit.retention_cutoff(config)).total_seconds() / 86400)
    assert days({"AUDIT_RETENTION_DAYS": 30}) == 180
    assert days({"AUDIT_RETENTION_DAYS": 1000}) == 1000
    assert days({}) == 365


def test_export_writes_every_entry_with_its_hash(demo, runner, tmp_path):
    path = tmp_path / "audit.csv"
    result = runner.invoke(args=["audit", "export", str(path)])
    assert result.exit_code == 0
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    with demo.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        assert rows[0][0] == "序号" and len(rows) == len(entries) + 1
        assert [r[-1] for r in rows[1:]] == [e.hash for e in entries]
    only = tmp_path / "baishui.csv"
    runner.invoke(args=["audit", "export", str(only), "--tenant", "baishui"])
    assert 1 < len(list(csv.reader(only.open(encoding="utf-8-sig")))) < len(rows)


def _id(seq: int) -> int:
    return db.session.scalar(select(AuditEntry.id).where(AuditEntry.seq == seq))


def test_a_savepoint_released_writes_nothing_until_the_transaction_commits(ctx):
    """begin_nested's release runs SQLAlchemy's before_commit too: the entries (and the chain head's
    lock) must still wait for the real commit, and go with it if the transaction is rolled back."""
    _write(1)
    with db.session.begin_nested():
        audit.record("test.action", summary="在保存点内")
    assert db.session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())) == 1
    db.session.rollback()
    assert [e.seq for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))] == [1]
    with db.session.begin_nested():
        audit.record("test.action", summary="在保存点内")
    db.session.commit()
    assert [e.summary for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq))][-1] == "在保存点内"
    assert verify_chain().ok
