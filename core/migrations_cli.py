"""Alembic through Flask-Migrate: the core's migrations plus each plugin's own versions folder.

Every plugin's migrations form their own branch, so `cms db upgrade` upgrades to *all* heads.

A plugin can leave the installation (its folder or package and entry point removed) while its tables
stay. Alembic then finds a revision it does not know in `alembic_version` and stops. So every upgrade
records each branch's applied revision in `migration_branches`; the next upgrade sets an absent
plugin's revision aside (its tables left alone, and said so) and puts back what that revision stood
for: a plugin revision that depends on a core one replaces it in `alembic_version`. When the plugin
comes back, its recorded revision is put back and its own migrations continue from there.
"""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import g
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from flask.cli import with_appcontext
from flask_migrate import Migrate, upgrade as _upgrade
from flask_migrate.cli import db as _flask_migrate_db

from core.clock import utcnow
from core.db import UTCDateTime, db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class MigrationBranch(db.Model):
    """The applied revision of one migration branch ("core", or a plugin's name), as of the last
    `cms db upgrade`."""
    __tablename__ = "migration_branches"
    branch: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[object] = mapped_column(UTCDateTime(), default=utcnow)


def version_locations(registry) -> list[str]:
    locations = [str(MIGRATIONS_DIR / "versions")]
    locations += [info.migrations for info in registry.infos.values() if info.migrations]
    return locations


@click.group("db", help="数据库迁移（Alembic）。")
@click.option("-d", "--directory", default=None, help="迁移脚本目录（默认为核心的 migrations）")
@click.option("-x", "--x-arg", multiple=True, help="传给 env.py 的附加参数")
@with_appcontext
def db_group(directory, x_arg):
    # Flask-Migrate's commands read these from g, as its own group would have set them.
    g.directory = directory
    g.x_arg = x_arg


for _name, _command in _flask_migrate_db.commands.items():
    if _name not in ("upgrade", "downgrade"):
        db_group.add_command(_command, _name)


@db_group.command("upgrade")
@with_appcontext
@click.argument("revision", default="heads")
@click.option("--sql", is_flag=True, help="只输出 SQL，不执行。")
def upgrade_command(revision: str, sql: bool) -> None:
    """升级数据库到最新版本（核心与所有插件的迁移分支）。"""
    from flask import current_app
    if not sql:
        for line in _set_aside_absent_plugins(current_app):
            click.echo(line)
    before = _core_revision(current_app) if not sql else None
    _upgrade(revision=revision, sql=sql)
    if not sql:
        _record_branches(current_app)
    if before is not None and before < SITE_SEARCH_REVISION <= _core_revision(current_app):
        # Before site search (0005) not every plugin's documents were in the index, and before
        # 0007 the entries had no scope words: build it once.
        from core import search
        from core.db import db
        count = search.reindex()
        db.session.commit()
        click.echo(f"已为站内搜索建立 {count} 条索引。")


def _script(app):
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def _version_rows(conn) -> set[str]:
    from alembic.migration import MigrationContext
    return set(MigrationContext.configure(conn).get_current_heads())


def _below(script, revisions) -> set[str]:
    """Every revision the given ones stand on (down revisions and dependencies), themselves excluded."""
    below: set[str] = set()
    for revision in revisions:
        below |= {r.revision for r in script.iterate_revisions(revision, "base")} - {revision}
    return below


def _known(script, revision: str) -> bool:
    from alembic.util import CommandError
    try:
        return script.get_revision(revision) is not None
    except (CommandError, KeyError):
        return False


def _recorded(conn) -> dict[str, str]:
    from sqlalchemy import inspect, select
    if not inspect(conn).has_table(MigrationBranch.__tablename__):
        return {}
    return dict(conn.execute(select(MigrationBranch.branch, MigrationBranch.revision)).all())


def _set_aside_absent_plugins(app) -> list[str]:
    """Before Alembic runs: revisions of plugins no longer installed set aside, revisions of plugins
    back again put back. Returns what to tell the person running the upgrade."""
    script = _script(app)
    with db.engine.connect() as conn:
        rows = _version_rows(conn)
        recorded = _recorded(conn)
    if not rows:
        return []
    unknown = {r for r in rows if not _known(script, r)}
    strangers = sorted(unknown - set(recorded.values()))
    if strangers:
        raise click.ClickException(
            f"数据库记录的迁移版本 {'、'.join(strangers)} 不属于本安装的核心或任何插件，也没有记录它属于哪个插件"
            "（插件在本版本之前被移除）。请先重新安装该插件并运行 cms db upgrade，再移除它。")
    known = rows - unknown
    heads = _standing(script, known, recorded)
    messages = [f"插件“{branch}”不在本安装中：其数据表和数据保留未动，本次升级跳过它"
                f"（恢复该插件后再运行 cms db upgrade 即可继续使用）。"
                for branch, revision in sorted(recorded.items()) if not _known(script, revision)]
    messages += [f"插件“{branch}”已恢复：沿用其原有数据表（迁移版本 {revision}）。"
                 for branch, revision in sorted(recorded.items())
                 if branch != "core" and revision in heads and revision not in rows | _below(script, known)]
    with db.engine.begin() as conn:
        _write_versions(conn, rows, heads)
    return messages


def _standing(script, rows: set[str], recorded: dict[str, str]) -> set[str]:
    """What alembic_version should hold: the heads of what every branch stands at, as far as this
    installation's scripts know them (the rows, and the recorded revisions: a revision set aside may
    have stood for a core revision, which comes back as a row of its own)."""
    wanted = {r for r in rows | set(recorded.values()) if _known(script, r)}
    return wanted - _below(script, wanted)


def _write_versions(conn, rows: set[str], heads: set[str]) -> None:
    from sqlalchemy import text
    if heads != rows:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"), [{"r": r} for r in sorted(heads)])


def _record_branches(app) -> None:
    """After an upgrade or a downgrade: each branch's applied revision (branches of absent plugins
    keep theirs)."""
    from sqlalchemy import inspect
    script = _script(app)
    with db.engine.begin() as conn:
        if not inspect(conn).has_table(MigrationBranch.__tablename__):
            return                                   # taken below core's 0011
        rows = _version_rows(conn)
        # Branches are linear: a branch's applied revision is its member with the longest ancestry.
        depth = {r: len(list(script.iterate_revisions(r, "base"))) for r in rows | _below(script, rows)}
        heads: dict[str, str] = {}
        for revision in sorted(depth, key=depth.get):
            for branch in script.get_revision(revision).branch_labels:
                heads[branch] = revision
        # Every branch this installation has is recorded as it now stands (one taken down to its base
        # loses its record); the records of absent plugins' branches stay for their return.
        present = {label for revision in script.walk_revisions() for label in revision.branch_labels}
        table = MigrationBranch.__table__
        conn.execute(table.delete().where(table.c.branch.in_(sorted(present | heads.keys()))))
        now = utcnow()
        if heads:
            conn.execute(table.insert(), [{"branch": b, "revision": r, "recorded_at": now}
                                          for b, r in sorted(heads.items())])


def _normalise_versions(app, *, drop_branch: str | None = None) -> None:
    """alembic_version as the heads of what every branch still stands at (the recorded revisions
    and the rows Alembic left), less a purged branch's record."""
    script = _script(app)
    with db.engine.begin() as conn:
        if drop_branch is not None:
            table = MigrationBranch.__table__
            conn.execute(table.delete().where(table.c.branch == drop_branch))
        rows = _version_rows(conn)
        _write_versions(conn, rows, _standing(script, rows, _recorded(conn)))


plugins_group = click.Group("plugins", help="功能插件：列出已安装的插件，把插件移出本安装。")


@plugins_group.command("list")
@with_appcontext
def plugins_list() -> None:
    """列出插件：已安装的，以及数据仍在数据库中但已不在本安装中的。"""
    from flask import current_app
    registry = current_app.extensions["cms"]
    with db.engine.connect() as conn:
        recorded = _recorded(conn)
    for name, info in sorted(registry.infos.items()):
        click.echo(f"{name}\t{info.title}\t已安装\t{recorded.get(name, '（无数据表）' if not info.migrations else '数据表未建立（运行 cms db upgrade）')}")
    for name, revision in sorted(recorded.items()):
        if name != "core" and name not in registry.infos:
            click.echo(f"{name}\t\t不在本安装中（数据表保留）\t{revision}")


def _plugin_tables(app, name: str) -> list:
    """The tables of the plugin's models (its package's mapped classes), children first."""
    module = app.extensions["cms"].pm.get_plugin(name).__name__
    package = module.rsplit(".", 1)[0] if module.endswith(".plugin") else module
    mapped = {m.local_table for m in db.Model.registry.mappers
              if m.class_.__module__ == package or m.class_.__module__.startswith(package + ".")}
    return [t for t in reversed(db.metadata.sorted_tables) if t in mapped]


@plugins_group.command("remove")
@with_appcontext
@click.argument("name")
@click.option("--purge", is_flag=True, help="删除该插件的数据表（及其中全部数据）和站内搜索索引，不可恢复。")
@click.option("--yes", is_flag=True, help="不再询问确认。")
def plugins_remove(name: str, purge: bool, yes: bool) -> None:
    """把插件移出本安装。不加 --purge：说明保留哪些数据和接下来的步骤，不改动数据库；
    加 --purge：先列出将删除的数据并确认，再撤销该插件的全部迁移（删除其数据表）并清除其搜索索引。"""
    from flask import current_app
    from flask_migrate import downgrade
    from sqlalchemy import func, select

    from core import audit, search
    from core.accounts import SYSTEM
    from core.tenants import across_tenants
    registry = current_app.extensions["cms"]
    if name not in registry.infos:
        with db.engine.connect() as conn:
            absent = name in _recorded(conn)
        raise click.ClickException(
            f"插件“{name}”不在本安装中，无法删除其数据表：请先重新安装它并运行 cms db upgrade，再运行本命令。"
            if absent else f"没有名为“{name}”的插件。已安装：{'、'.join(sorted(registry.infos))}。")
    info = registry.infos[name]
    tables = _plugin_tables(current_app, name)
    with across_tenants(None, reason=f"cms plugins remove {name}: counting what it holds"):
        counts = [(t.name, db.session.scalar(select(func.count()).select_from(t))) for t in tables]
        entries = db.session.scalar(select(func.count()).select_from(search.SearchEntry)
                                    .where(search.SearchEntry.plugin == name))
    db.session.rollback()
    held = "、".join(f"{table}（{n} 行）" for table, n in counts) or "（无对应模型的数据表）"
    if not purge:
        click.echo(f"插件“{info.title}”（{name}）的数据将保留：数据表 {held}，站内搜索索引 {entries} 条（移除后不再显示）。")
        click.echo("接下来：卸载该插件的软件包（内置插件：删除其目录和 pyproject.toml 中的入口点后重新安装），"
                   "再运行 cms db upgrade：升级会跳过并保留它的数据表。要同时删除数据，请加 --purge。")
        return
    click.echo(f"将永久删除插件“{info.title}”（{name}）的数据：数据表 {held}，站内搜索索引 {entries} 条；"
               f"其迁移分支全部撤销。此操作不可恢复，请先备份（cms backup）。")
    if not yes and not click.confirm("确定删除吗？", default=False):
        click.echo("已取消，未作任何改动。")
        return
    if info.migrations:
        downgrade(revision=f"{name}@base")
        _normalise_versions(current_app, drop_branch=name)
    with across_tenants(None, reason=f"cms plugins remove {name} --purge"):
        removed = search.clear(plugin=name)
        audit.record("plugin.purge", actor=SYSTEM,
                     summary=f"删除插件 {name} 的数据表（{held}）和 {removed} 条搜索索引")
        db.session.commit()
    click.echo(f"已删除插件“{name}”的数据表和 {removed} 条搜索索引。请立即卸载该插件的软件包："
               "在此之前运行 cms db upgrade 会为它重新建立空的数据表。")


@db_group.command("downgrade")
@with_appcontext
@click.argument("revision", default="-1")
@click.option("--sql", is_flag=True, help="只输出 SQL，不执行。")
def downgrade_command(revision: str, sql: bool) -> None:
    """把数据库降级到指定版本（例如 catalog@-1）。"""
    from flask import current_app
    from flask_migrate import downgrade
    downgrade(revision=revision, sql=sql)
    if not sql:
        _record_branches(current_app)


SITE_SEARCH_REVISION = 7        # core migration 0007_core: the last change to what the index holds


def _core_revision(app) -> int:
    """The number of the core branch's applied migration (0 on an empty database)."""
    from alembic.migration import MigrationContext

    from core.db import db
    with db.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    if not heads:
        return 0
    # A plugin revision that depends on a core one stands for it in alembic_version: walk the
    # applied heads' ancestry (dependencies included) for the core branch's latest revision.
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    applied = {r.revision for r in script.iterate_revisions(heads, "base")}
    numbers = [int(h.split("_", 1)[0]) for h in applied if h.endswith("_core") and h.split("_", 1)[0].isdigit()]
    return max(numbers, default=0)


def init_migrations(app, db, registry) -> None:
    migrate = Migrate()  # one per app: the configure callback below belongs to this app's plugins
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)

    @migrate.configure
    def _add_plugin_versions(config):
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(version_locations(registry)))
        return config

    app.cli.add_command(db_group)
    app.cli.add_command(plugins_group)


@db_group.command("grant-app-role")
@with_appcontext
@click.argument("role")
def grant_app_role_command(role: str) -> None:
    """（PostgreSQL）授予应用连接所用的角色读写数据的权限；该角色不拥有数据表，受行级安全约束。

    以数据表所有者的身份运行（与 cms db upgrade 相同的连接）。审计日志只授予查询、追加和清理。
    """
    from sqlalchemy import text

    from core.security import rls
    from core.db import db
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("行级安全只用于 PostgreSQL。")
    exists = db.session.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    if not exists:
        raise click.ClickException(f"角色“{role}”不存在，请先创建：CREATE ROLE {role} LOGIN PASSWORD '…';")
    for statement in rls.grant_app_role_statements(role):
        db.session.execute(text(statement))
    db.session.commit()
    click.echo(f"已授予角色“{role}”读写数据的权限（审计日志不可修改）。应用请以该角色连接（DATABASE_URL）。")
