"""`cms audit`: verify the chain, export, purge by retention."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from core import audit
from core.accounts import SYSTEM
from core.cli import tenant_or_exit
from core.db import db
from core.exports import CsvWriter
from core.tenants import Tenant


audit_group = AppGroup("audit", help="审计日志：校验哈希链、导出、按保存期限清理。")


@audit_group.command("verify")
def audit_verify() -> None:
    """逐条重算哈希链：记录被改动、删除或插入时指出位置，并以非零状态退出。"""
    report = audit.verify_chain()
    if report.ok:
        span = f"（第 {report.first_seq} 至第 {report.last_seq} 条）" if report.checked else ""
        click.secho(f"审计日志完整：已校验 {report.checked} 条记录{span}。", fg="green")
        return
    for problem in report.problems:
        click.secho(problem, fg="red")
    click.secho(f"审计日志校验失败：{len(report.problems)} 处问题，已校验 {report.checked} 条记录。", fg="red", err=True)
    sys.exit(1)


@audit_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--tenant", "slug", default=None, help="只导出该单位及其下级单位")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="起始日期（含）")
def audit_export(path: str, slug: str | None, since) -> None:
    """把审计日志导出为 CSV（UTF-8，Excel 可直接打开），含每条记录的哈希，供外部留存和核对。"""
    from datetime import timezone
    tenant = tenant_or_exit(slug) if slug else None
    stmt = audit.subtree_query(tenant).order_by(None).order_by(audit.AuditEntry.seq)
    if since is not None:
        stmt = stmt.where(audit.AuditEntry.at >= since.replace(tzinfo=timezone.utc))
    names = {t.id: t.name for t in db.session.scalars(select(Tenant))}
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = CsvWriter(out)       # a failed login's user name is typed by anyone: never a formula
        writer.writerow(["序号", "时间（UTC）", "操作人", "单位", "操作", "对象类型", "对象编号", "摘要", "地址",
                         "前一条哈希", "哈希"])
        for e in db.session.scalars(stmt.execution_options(yield_per=2000)):
            writer.writerow([e.seq, e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, names.get(e.tenant_id, ""),
                             e.action, e.object_type, e.object_id, e.summary, e.ip, e.prev_hash, e.hash])
            count += 1
    click.echo(f"已导出 {count} 条记录到 {path}。")


@audit_group.command("purge")
@click.option("--dry-run", is_flag=True, help="只报告将删除多少条，不删除。")
def audit_purge(dry_run: bool) -> None:
    """删除超过保存期限（AUDIT_RETENTION_DAYS，默认 365 天，最少 180 天）的记录，哈希链仍可校验。"""
    from flask import current_app
    from sqlalchemy import func
    cutoff = audit.retention_cutoff(current_app.config)
    due = db.session.scalar(select(func.count()).select_from(audit.AuditEntry).where(audit.AuditEntry.at < cutoff))
    if dry_run or not due:
        click.echo(f"早于 {cutoff:%Y-%m-%d} 的记录有 {due} 条{'，未删除' if due else ''}。")
        return
    count = audit.purge_before(cutoff)
    audit.record("audit.purge", actor=SYSTEM, summary=f"按保存期限删除 {cutoff:%Y-%m-%d} 之前的 {count} 条审计记录")
    db.session.commit()
    click.echo(f"已删除早于 {cutoff:%Y-%m-%d} 的 {count} 条记录。")


commands = [audit_group]
