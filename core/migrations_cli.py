"""Alembic through Flask-Migrate: the core's migrations plus each plugin's own versions folder.

Every plugin's migrations form their own branch, so `cms db upgrade` upgrades to *all* heads.
"""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import g
from flask.cli import with_appcontext
from flask_migrate import Migrate, upgrade as _upgrade
from flask_migrate.cli import db as _flask_migrate_db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


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
    if _name != "upgrade":
        db_group.add_command(_command, _name)


@db_group.command("upgrade")
@with_appcontext
@click.argument("revision", default="heads")
@click.option("--sql", is_flag=True, help="只输出 SQL，不执行。")
def upgrade_command(revision: str, sql: bool) -> None:
    """升级数据库到最新版本（核心与所有插件的迁移分支）。"""
    from flask import current_app
    before = _core_revision(current_app) if not sql else None
    _upgrade(revision=revision, sql=sql)
    if before is not None and before < SITE_SEARCH_REVISION <= _core_revision(current_app):
        # Before site search (0005) not every plugin's documents were in the index, and before
        # 0007 the entries had no scope words: build it once.
        from core import search
        from core.db import db
        count = search.reindex()
        db.session.commit()
        click.echo(f"已为站内搜索建立 {count} 条索引。")


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


@db_group.command("grant-app-role")
@with_appcontext
@click.argument("role")
def grant_app_role_command(role: str) -> None:
    """（PostgreSQL）授予应用连接所用的角色读写数据的权限；该角色不拥有数据表，受行级安全约束。

    以数据表所有者的身份运行（与 cms db upgrade 相同的连接）。审计日志只授予查询、追加和清理。
    """
    from sqlalchemy import text

    from core import rls
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
