"""The audit log: who did what to which object in which tenant, when (UTC), from which address.

Tamper-evident: each entry carries the SHA-256 of its own content and of the previous entry's
hash (a hash chain), assigned in the writing transaction under a row lock on the chain's head, so
entries are chained in commit order with no gap. Changing, removing or inserting an entry breaks
the chain from there on, and `cms audit verify` says where. The database refuses UPDATE and
DELETE on the table (triggers, migration 0008_core); only the retention purge may delete the
oldest entries, and it records where the chain now starts.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, Select, String, Text, event, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import TenantSession, UTCDateTime, db
from core.tenants import Tenant


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as text too, so the entry still says who it was after the account is gone.
    actor_name: Mapped[str] = mapped_column(String(64), default="")
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    # Position in the chain, the previous entry's hash, and this entry's hash.
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True, index=True)
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


class AuditChain(db.Model):
    """One row: the head of the chain (last position and hash), and where it starts after a purge."""
    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    last_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    anchor_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    anchor_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    purging: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


HASHED_FIELDS = ("seq", "at", "actor_id", "actor_name", "tenant_id", "action", "object_type", "object_id",
                 "summary", "ip")


def chain_key() -> bytes:
    """The key of the chain's HMAC: AUDIT_HMAC_KEY, else one derived from SECRET_KEY. It lives
    outside the database, so someone who can write the tables cannot recompute the chain."""
    from flask import current_app
    explicit = current_app.config.get("AUDIT_HMAC_KEY")
    if explicit:
        return explicit.encode()
    return hmac.new(str(current_app.config["SECRET_KEY"]).encode(), b"cms audit chain", hashlib.sha256).digest()


def entry_hash(values: dict, prev_hash: str, key: bytes | None = None) -> str:
    """HMAC-SHA-256 over the previous hash and the entry's fields, in a fixed canonical JSON form."""
    at = values["at"]
    if isinstance(at, datetime):
        at = (at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at).isoformat(timespec="seconds")
    canonical = {k: values[k] for k in HASHED_FIELDS}
    canonical["at"] = at
    payload = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key or chain_key(), (prev_hash + "\n" + payload).encode(), hashlib.sha256).hexdigest()


def _advance_head(connection, count: int) -> tuple[int, str]:
    """Reserve `count` positions; the UPDATE takes the head's row lock until the transaction ends."""
    head = connection.execute(update(AuditChain.__table__).where(AuditChain.__table__.c.id == 1)
                              .values(seq=AuditChain.__table__.c.seq + count)
                              .returning(AuditChain.__table__.c.seq, AuditChain.__table__.c.last_hash)).first()
    if head is None:        # a database made before the chain head existed, or emptied by tests
        connection.execute(AuditChain.__table__.insert().values(id=1, seq=count, last_hash=""))
        return 0, ""
    return head.seq - count, head.last_hash


PENDING = "audit_pending"


@event.listens_for(TenantSession, "before_commit")
def _chain_pending_entries(session) -> None:
    """Entries are written at commit, after everything else and last of all the chain head: its row
    lock is the transaction's last, so it can never be part of a deadlock with the locks the
    work itself took (tenant rows, open days ...). A savepoint's release (begin_nested) is not the
    commit: its entries wait for the transaction's own."""
    if session.in_nested_transaction():
        return
    entries = session.info.pop(PENDING, None)
    if not entries:
        return
    session.flush()
    connection = session.connection()
    last_seq, prev = _advance_head(connection, len(entries))
    key = chain_key()
    for offset, entry in enumerate(entries):
        entry.seq = last_seq + offset + 1
        values = {k: getattr(entry, k) for k in HASHED_FIELDS}
        entry.prev_hash = prev
        entry.hash = prev = entry_hash(values, prev, key)
    session.add_all(entries)
    connection.execute(update(AuditChain.__table__).where(AuditChain.__table__.c.id == 1).values(last_hash=prev))
    session.flush()


@event.listens_for(TenantSession, "after_transaction_end")
def _forget_pending(session, transaction) -> None:
    if transaction.parent is None:          # the outermost transaction: rolled back or closed
        session.info.pop(PENDING, None)


@event.listens_for(TenantSession, "after_soft_rollback")
def _forget_pending_on_rollback(session, previous_transaction) -> None:
    session.info.pop(PENDING, None)         # also when nothing had reached the database yet


def pending_entries() -> list["AuditEntry"]:
    """Entries recorded in the current transaction, not yet written (they are, at commit)."""
    return list(db.session.info.get(PENDING, []))


def chain_existing_entries(connection) -> int:
    """Chain entries written before the chain existed, in id order (migration 0008_core)."""
    table = AuditEntry.__table__
    prev, seq, key = "", 0, chain_key()
    rows = connection.execute(select(*[table.c[k] for k in HASHED_FIELDS if k != "seq"], table.c.id)
                              .where(table.c.seq.is_(None)).order_by(table.c.id)).all()
    for row in rows:
        seq += 1
        values = {**row._mapping, "seq": seq}
        at = values["at"].replace(microsecond=0)
        values["at"] = at
        for name in ("actor_name", "object_type", "object_id", "summary", "ip"):
            values[name] = values[name] or ""
        digest = entry_hash(values, prev, key)
        connection.execute(update(table).where(table.c.id == row.id).values(seq=seq, at=at, prev_hash=prev, hash=digest))
        prev = digest
    connection.execute(AuditChain.__table__.insert().values(id=1, seq=seq, last_hash=prev))
    return seq


@dataclass
class ChainReport:
    checked: int
    first_seq: int | None
    last_seq: int | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in order: an edited, removed or inserted entry, or a cut tail, is reported."""
    head = db.session.get(AuditChain, 1)
    expected_prev = head.anchor_hash if head else ""
    expected_seq = (head.anchor_seq if head else 0) + 1
    problems: list[str] = []
    checked, first, last, after = 0, None, None, -1
    key = chain_key()
    table = AuditEntry.__table__
    while True:
        rows = db.session.execute(select(table).where(table.c.seq > after).order_by(table.c.seq).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            values = dict(row._mapping)
            if first is None:
                first = values["seq"]
            if values["seq"] != expected_seq:
                problems.append(f"第 {expected_seq} 条到第 {values['seq'] - 1} 条记录缺失。")
            if values["prev_hash"] != expected_prev:
                problems.append(f"第 {values['seq']} 条记录（编号 {values['id']}）与前一条记录的哈希不衔接。")
            if entry_hash(values, values["prev_hash"], key) != values["hash"]:
                problems.append(f"第 {values['seq']} 条记录（编号 {values['id']}）的内容被改动过：哈希不符。")
            expected_prev, expected_seq, last, after = values["hash"], values["seq"] + 1, values["seq"], values["seq"]
            checked += 1
    missing_ids = db.session.scalar(select(func.count()).select_from(table).where(table.c.seq.is_(None)))
    if missing_ids:
        problems.append(f"{missing_ids} 条记录不在哈希链上（未经本系统写入）。")
    if head is not None and head.seq != (last if last is not None else head.anchor_seq):
        problems.append(f"链尾应为第 {head.seq} 条，实际为第 {last or 0} 条：最新的记录被删除了。")
    if head is not None and last is not None and head.last_hash != expected_prev:
        problems.append("链尾哈希与记录不符。")
    return ChainReport(checked, first, last, problems)


def purge_before(cutoff: datetime) -> int:
    """Delete entries older than `cutoff` (retention), keeping the chain verifiable: the head
    remembers the last purged entry. The purge itself is audited."""
    table = AuditEntry.__table__
    last = db.session.execute(select(table.c.seq, table.c.hash).where(table.c.at < cutoff)
                              .order_by(table.c.seq.desc()).limit(1)).first()
    if last is None:
        return 0
    head_table = AuditChain.__table__
    db.session.execute(update(head_table).where(head_table.c.id == 1).values(purging=True))
    count = db.session.execute(table.delete().where(table.c.seq <= last.seq)).rowcount
    db.session.execute(update(head_table).where(head_table.c.id == 1).values(
        purging=False, anchor_seq=last.seq, anchor_hash=last.hash))
    return count


def retention_cutoff(app_config) -> datetime:
    """Entries are kept AUDIT_RETENTION_DAYS (default 365; never less than 180, the legal minimum)."""
    days = max(180, int(app_config.get("AUDIT_RETENTION_DAYS", 365)))
    return utcnow() - timedelta(days=days)


def _current_actor():
    if not has_request_context():
        return None
    if g.get("api_user") is not None:
        return g.api_user
    if current_user and current_user.is_authenticated:
        return current_user
    return None


def history(target) -> list["AuditEntry"]:
    """The audit entries about one object of the current tenant, newest first (a record's 操作记录)."""
    from sqlalchemy import select
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == type(target).__name__, AuditEntry.object_id == str(target.id),
        AuditEntry.tenant_id == target.tenant_id).order_by(AuditEntry.at.desc())))


def record(action: str, *, target=None, tenant: Tenant | int | None = None, summary: str = "",
           actor=None, actor_name: str | None = None) -> AuditEntry:
    """Add an audit entry to the current transaction (it commits or rolls back with the action)."""
    actor = actor or _current_actor()
    if tenant is None and target is not None:
        tenant = getattr(target, "tenant_id", None)
        if tenant is None and isinstance(target, Tenant):
            tenant = target
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=actor_name if actor_name is not None else getattr(actor, "username", "") or "",
        tenant_id=tenant.id if isinstance(tenant, Tenant) else tenant,
        action=action,
        object_type=type(target).__name__ if target is not None else "",
        object_id=str(getattr(target, "id", "") or "") if target is not None else "",
        summary=summary[:2000],
        ip=(request.remote_addr or "") if has_request_context() else "cli",
        at=utcnow().replace(microsecond=0),
    )
    if not db.session().in_transaction():
        db.session.connection()      # the entry belongs to this transaction: a rollback drops it
    db.session.info.setdefault(PENDING, []).append(entry)
    return entry


def subtree_query(tenant: Tenant | None, *, action: str | None = None) -> Select:
    """Entries of a tenant and its descendants, newest first; tenant None means every entry."""
    stmt = select(AuditEntry)
    if tenant is not None:
        stmt = stmt.where(AuditEntry.tenant_id.in_(select(Tenant.id).where(Tenant.path.startswith(tenant.path))))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
