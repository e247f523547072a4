"""`cms backup` / `cms restore`: the whole installation, or one tenant with everything below it.

A backup is one .tar.gz: `manifest.json` (format, scope, the schema's migration heads, row counts),
`tables/<table>.jsonl` (one JSON object per row, in key order), and `files/<token>` (the stored
attachments). The search index is not in it: a restore rebuilds it. Rows keep their ids, so
links, audit entries and their hash chain come back as they were.

* Whole installation: restored into an empty database migrated to the same version (a new server,
  or the same one after a disaster), in one transaction.
* One tenant: restored into the installation it came from, replacing that subtree's data (an
  editor's mistake undone). Other tenants, accounts and the audit log are left as they are; the
  restore is audited. Everything happens in one transaction, so a conflict changes nothing.

Backups hold personal data and password hashes: they are written readable by their owner only.
"""
from __future__ import annotations

import base64
import io
import json
import os
import tarfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import Date, DateTime, LargeBinary, Table, func, select, text

from core.bounded import check_backup
from core.clock import utcnow
from core.db import db
from core.errors import DomainError

FORMAT = 1
# Rebuilt on restore rather than copied: the index follows the documents.
SKIPPED_TABLES = frozenset({"search_entries"})
# Installation-wide: never part of a tenant's backup.
# Role grants too: restoring a town must not give back access that was revoked since.
INSTALLATION_TABLES = frozenset({"users", "api_tokens", "role_grants", "calendar_overrides", "calendar_years",
                                 "audit_log", "audit_chain"})
# A restored tenant keeps its place in the tree and its page-cache version moves on from today's.
KEPT_TENANT_COLUMNS = ("id", "slug", "kind", "parent_id", "path", "content_version", "content_changed_at")


class BackupError(Exception):
    """A backup that cannot be made or restored; the message is for the operator."""


@dataclass
class Report:
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _tables() -> list[Table]:
    return [t for t in db.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _encode(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decoder(column):
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def _heads() -> list[str]:
    from alembic.migration import MigrationContext
    return sorted(MigrationContext.configure(db.session.connection()).get_current_heads())


def _subtree(slug: str):
    from core.tenants import Tenant, tenant_by_slug
    tenant = tenant_by_slug(slug)
    if tenant is None:
        raise BackupError(f"单位“{slug}”不存在。")
    ids = list(db.session.scalars(select(Tenant.id).where(Tenant.path.startswith(tenant.path)).order_by(Tenant.id)))
    return tenant, ids


def _rows(table: Table, tenant_ids: list[int] | None):
    stmt = select(table).order_by(*table.primary_key.columns)
    if tenant_ids is not None:
        if table.name == "tenants":
            stmt = stmt.where(table.c.id.in_(tenant_ids))
        elif "tenant_id" in table.c:
            stmt = stmt.where(table.c.tenant_id.in_(tenant_ids))
    return db.session.execute(stmt)


def _tenant_tables() -> list[Table]:
    """Tables whose rows belong to one tenant: the tenants themselves and every table with tenant_id."""
    return [t for t in _tables() if t.name not in INSTALLATION_TABLES and (t.name == "tenants" or "tenant_id" in t.c)]


def backup(path: str | Path, *, tenant_slug: str | None = None, progress=None) -> Report:
    """Write the backup file; returns what it holds."""
    from core.attachments import Attachment, storage_path
    from core.tenants import across_tenants
    path = Path(path)
    report = Report()
    with across_tenants(None, reason="backup"):
        scope: dict = {"all": True}
        tenant_ids = None
        tables = _tables()
        if tenant_slug:
            tenant, tenant_ids = _subtree(tenant_slug)
            scope = {"tenant": tenant.slug, "path": tenant.path, "tenant_ids": tenant_ids}
            tables = _tenant_tables()
        tmp = path.with_name(path.name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for table in tables:
                buffer = io.BytesIO()
                count = 0
                for row in _rows(table, tenant_ids):
                    line = {k: _encode(v) for k, v in row._mapping.items()}
                    buffer.write(json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n")
                    count += 1
                report.tables[table.name] = count
                _add(tar, f"tables/{table.name}.jsonl", buffer.getvalue())
                if progress:
                    progress(table.name, count)
            tokens = _rows(Attachment.__table__, tenant_ids).all()
            for row in tokens:
                file = storage_path(row.token)
                if file.exists():
                    tar.add(str(file), arcname=f"files/{row.token}", recursive=False)
                    report.files += 1
            manifest = {"format": FORMAT, "created_at": utcnow().isoformat(), "scope": scope, "heads": _heads(),
                        "tables": report.tables, "files": report.files,
                        "site_name": current_app.config.get("SITE_NAME")}
            _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        tmp.replace(path)
    return report


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(utcnow().timestamp())
    tar.addfile(info, io.BytesIO(data))


def read_manifest(path: str | Path) -> dict:
    try:
        check_backup(path)                 # members and size, counted while decompressing: bombs stop early
    except DomainError as exc:
        raise BackupError(exc.message) from None
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            manifest = json.loads(member.read())
    except (OSError, KeyError, tarfile.TarError, json.JSONDecodeError, AttributeError) as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式：{manifest.get('format')}。")
    return manifest


def restore(path: str | Path, *, tenant_slug: str | None = None) -> Report:
    """Restore the backup (see the module's description); the caller commits."""
    from core import search
    from core.tenants import across_tenants
    manifest = read_manifest(path)
    if manifest["heads"] != _heads():
        raise BackupError("备份与当前数据库的版本不同（迁移版本 {} ≠ {}）。请先把数据库升级到备份时的版本（cms db upgrade）。"
                          .format("、".join(manifest["heads"]), "、".join(_heads()) or "空"))
    scope = manifest["scope"]
    if tenant_slug and scope.get("tenant") != tenant_slug:
        raise BackupError(f"这份备份不是单位“{tenant_slug}”的备份（它是{scope.get('tenant') or '整个系统'}的）。")
    if not tenant_slug and not scope.get("all"):
        raise BackupError(f"这是单位“{scope['tenant']}”的备份，请用 --tenant {scope['tenant']} 恢复。")
    report = Report()
    with across_tenants(None, reason="restore"), tarfile.open(path, "r:gz") as tar:
        tables = {t.name: t for t in (_tenant_tables() if tenant_slug else _tables())}
        if tenant_slug:
            tenant_ids = _check_same_subtree(scope, tenant_slug)
            _delete_subtree(tenant_ids)
        else:
            _check_empty()
            tenant_ids = None
        tokens: set[str] = set()
        for name in manifest["tables"]:
            table = tables.get(name)
            if table is None:
                raise BackupError(f"备份中的数据表 {name} 不能这样恢复（不在当前数据库中，或不属于单位的数据）。")
            report.tables[name] = _insert(tar, table, tenant_ids=tenant_ids, tokens=tokens)
        report.files = _restore_files(tar, tokens)
        _reset_sequences(tables.values())
        search.reindex(tenant_ids)
        if tenant_ids is not None:      # pages cached for the replaced data are stale now
            _bump_content_versions(tenant_ids)
    return report


def _check_empty() -> None:
    from core.accounts import User
    from core.tenants import Tenant
    if db.session.scalar(select(func.count()).select_from(Tenant)) or db.session.scalar(select(func.count()).select_from(User)):
        raise BackupError("目标数据库不是空的：恢复整个系统只能恢复到刚迁移好的空数据库（cms db upgrade）。")
    # The chain head that the migration created is replaced by the one in the backup.
    db.session.execute(text("DELETE FROM audit_chain"))


def _check_same_subtree(scope: dict, slug: str) -> list[int]:
    """The subtree as this database has it (never the ids the file names)."""
    tenant, ids = _subtree(slug)
    if tenant.path != scope.get("path"):
        raise BackupError(f"单位“{slug}”在本系统中的位置与备份不同：单位备份只能恢复到它所在的系统。")
    return ids


def _delete_subtree(tenant_ids: list[int]) -> None:
    """The subtree's own rows, children first; its tenants stay (they are updated in place)."""
    for table in reversed(_tenant_tables()):
        if table.name != "tenants":
            db.session.execute(table.delete().where(table.c.tenant_id.in_(tenant_ids)))


def _insert(tar: tarfile.TarFile, table: Table, *, tenant_ids: list[int] | None, tokens: set[str]) -> int:
    member = tar.extractfile(f"tables/{table.name}.jsonl")
    if member is None:
        raise BackupError(f"备份文件缺少数据表 {table.name}。")
    decoders = {c.name: _decoder(c) for c in table.c}
    rows = [{k: decoders[k](v) for k, v in json.loads(line).items() if k in decoders} for line in member if line.strip()]
    total = len(rows)
    if tenant_ids is not None:         # one tenant: every row must be the subtree's own
        owner = "id" if table.name == "tenants" else "tenant_id"
        stray = [r for r in rows if r.get(owner) not in tenant_ids]
        if stray:
            raise BackupError(f"备份中的数据表 {table.name} 含有不属于该单位的记录（{owner}={stray[0].get(owner)}）。")
    if table.name == "attachments":
        tokens.update(r["token"] for r in rows)
    if table.name == "tenants" and tenant_ids is not None:
        for row in rows:
            db.session.execute(table.update().where(table.c.id == row["id"]).values(
                **{k: v for k, v in row.items() if k not in KEPT_TENANT_COLUMNS}))
        return total
    # A row may point at a later row of its own table (a record superseded by a newer one, a
    # tenant's parent): those columns are filled in a second pass, once every row is there.
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    first = [{**r, **{c: None for c in self_refs}} for r in rows] if self_refs else rows
    for start in range(0, len(first), 1000):
        db.session.execute(table.insert(), first[start:start + 1000])
    stamped = [c.name for c in table.c if c.onupdate is not None]     # updated_at keeps its value
    for row in rows:
        links = {c: row[c] for c in self_refs if row.get(c) is not None}
        if links:
            db.session.execute(table.update().where(table.c.id == row["id"]).values(
                **links, **{c: row[c] for c in stamped if c in row}))
    return total


def _restore_files(tar: tarfile.TarFile, tokens: set[str]) -> int:
    """The files of the restored attachments that are missing on disk (a stored file never changes
    under its token). Files written here go again if the transaction rolls back."""
    from core.attachments import forget_on_rollback, storage_path
    count = 0
    for member in tar.getmembers():
        if not member.isfile() or not member.name.startswith("files/"):
            continue
        token = member.name.split("/", 1)[1]
        if token not in tokens:
            raise BackupError(f"备份中的文件 {member.name} 不属于备份中的任何附件。")
        target = storage_path(token)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(tar.extractfile(member).read())
        forget_on_rollback(target)
        count += 1
    return count


def _reset_sequences(tables) -> None:
    """PostgreSQL: the id sequences continue after the restored ids."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c and table.c.id.autoincrement is not False and table.name != "audit_chain":
            # bandit B608 reviewed: table names come from our own metadata, never from input
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # nosec B608
                f"COALESCE((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))


def _bump_content_versions(tenant_ids: list[int] | None) -> None:
    """Cached pages of the restored tenants and of their ancestors are stale now."""
    from core.tenants import Tenant
    tenants = Tenant.__table__
    stmt = select(tenants.c.path)
    if tenant_ids is not None:
        stmt = stmt.where(tenants.c.id.in_(tenant_ids))
    ids = sorted({int(p) for path in db.session.scalars(stmt) for p in path.strip("/").split("/") if p})
    if ids:
        db.session.execute(tenants.update().where(tenants.c.id.in_(ids)).values(
            content_version=tenants.c.content_version + 1, content_changed_at=utcnow(),
            updated_at=tenants.c.updated_at))


def dump(tenant_ids: list[int] | None = None) -> dict[str, list[dict]]:
    """Every row the backup would hold, for comparing two databases (tests, `cms restore --check`)."""
    from core.tenants import across_tenants
    tables = _tables() if tenant_ids is None else _tenant_tables()
    with across_tenants(None, reason="compare"):
        return {t.name: [{k: _encode(v) for k, v in row._mapping.items()} for row in _rows(t, tenant_ids)]
                for t in tables}

