"""`cms backup` and `cms restore`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from core import audit
from core.accounts import SYSTEM
from core.cli import fail
from core.db import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--tenant", "slug", default=None, help="只备份该单位及其全部下级单位")
@with_appcontext
def backup_command(path: str, slug: str | None) -> None:
    """备份整个系统（或一个单位）的数据和附件到一个 .tar.gz 文件（仅所有者可读）。"""
    from core import backup
    try:
        report = backup.backup(path, tenant_slug=slug)
    except backup.BackupError as exc:
        fail(str(exc))
    audit.record("backup.create", actor=SYSTEM, summary=f"备份{'单位 ' + slug if slug else '整个系统'}："
                 f"{report.rows} 行数据、{report.files} 个附件 → {path}")
    db.session.commit()
    click.echo(f"已备份 {report.rows} 行数据（{len(report.tables)} 张表）和 {report.files} 个附件到 {path}。")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", "slug", default=None, help="只恢复该单位及其下级单位（替换它们当前的数据）")
@click.option("--yes", is_flag=True, help="不再确认")
@with_appcontext
def restore_command(path: str, slug: str | None, yes: bool) -> None:
    """从备份恢复：整个系统恢复到空数据库；单个单位恢复时替换该单位及其下级单位的数据。"""
    from core import backup
    try:
        manifest = backup.read_manifest(path)
    except backup.BackupError as exc:
        fail(str(exc))
    what = f"单位“{slug}”及其下级单位的当前数据将被备份中的数据替换" if slug else "整个系统将从备份恢复到这个空数据库"
    if not yes and not click.confirm(f"备份时间 {manifest['created_at'][:19]}（UTC）。{what}。继续吗？"):
        fail("已取消，没有做任何改动。")
    try:
        report = backup.restore(path, tenant_slug=slug)
    except backup.BackupError as exc:
        fail(str(exc))
    except Exception as exc:  # a conflict in the data: one transaction, nothing half-written
        fail(f"恢复失败，没有做任何改动：{type(exc).__name__}: {exc}")
    audit.record("backup.restore", actor=SYSTEM, summary=f"从 {path}（{manifest['created_at'][:19]}）恢复"
                 f"{'单位 ' + slug if slug else '整个系统'}：{report.rows} 行数据、{report.files} 个附件")
    db.session.commit()
    click.echo(f"已恢复 {report.rows} 行数据和 {report.files} 个附件，并重建了站内搜索索引。")
    if not slug and not audit.verify_chain().ok:
        click.secho("注意：恢复的审计日志在本机无法校验。请使用与原系统相同的 AUDIT_HMAC_KEY（未设置时为 SECRET_KEY），"
                    "再运行 cms audit verify。", fg="yellow")


commands = [backup_command, restore_command]
