"""`cms security-check` and `cms privacy purge`."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup, with_appcontext

from core import audit
from core.accounts import SYSTEM
from core.db import db


privacy = AppGroup("privacy", help="个人信息保护：到期删除。")


@privacy.command("purge")
@click.option("--before", "before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="删除在此日期之前结束的事项中的个人信息，例如 2026-06-30")
@click.option("--dry-run", is_flag=True, help="只统计，不删除")
def privacy_purge(before, dry_run: bool) -> None:
    """删除已结束事项中的姓名和联系方式，保留意见内容和处理结果。"""
    from flask import current_app

    from core.plugins import collect
    from core.notify import purge as purge_outbox
    lines = collect(current_app.extensions["cms"].hook.purge_personal_data, before=before.date())
    erased = purge_outbox(before.date())
    if erased:
        lines.append(f"通知发件箱：删除 {erased} 条通知的收件人")
    if dry_run:
        db.session.rollback()
    else:
        audit.record("privacy.purge", actor=SYSTEM, summary=f"删除 {before.date()} 之前结束事项的个人信息：" + "；".join(lines))
        db.session.commit()
    for line in lines:
        click.echo(("（试运行）" if dry_run else "") + line)
    if not lines:
        click.echo("没有需要删除的个人信息。")


@click.command("security-check")
@click.option("--fail-level", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="达到该级别的问题使命令以非零状态退出。")
@with_appcontext
def security_check(fail_level: str) -> None:
    """检查本安装的安全设置（上线前运行；只读取，不修改）。"""
    from flask import current_app

    from core.security import ERROR, deploy_findings
    findings = deploy_findings(current_app._get_current_object())
    for f in findings:
        click.secho(f"[{f.level}] {f.code} {f.message}", fg="red" if f.level == ERROR else "yellow")
        click.echo(f"    处理：{f.hint}")
    errors = sum(1 for f in findings if f.level == ERROR)
    warnings = len(findings) - errors
    if not findings:
        click.secho("未发现不安全的设置。", fg="green")
    else:
        click.echo(f"共 {errors} 个错误、{warnings} 个警告。")
    if errors or (fail_level == "warning" and warnings):
        sys.exit(1)


commands = [security_check, privacy]
