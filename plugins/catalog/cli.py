"""`cms catalog …`: import and export catalogs as .xlsx, supervision reports, re-deriving items."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from core.plugin_api import china_today, db, DomainError, SYSTEM, tenant_or_exit, tenant_scope
from plugins.catalog import excel, services
from plugins.catalog import supervision as monitor

catalog = AppGroup("catalog", help="政务公开目录：导入导出、时效报告。")



@catalog.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.argument("tenant_slug")
@click.option("--domain", "domain_code", help="领域代码（如 03），工作表标题中没有领域名称时使用")
def import_command(path: str, tenant_slug: str, domain_code: str | None) -> None:
    """从 .xlsx 导入目录到某单位；任何一行有错误时不导入任何内容。"""
    tenant = tenant_or_exit(tenant_slug)

    def progress(rows):
        with click.progressbar(rows, label="读取行", show_pos=True, file=sys.stderr) as bar:
            yield from bar

    with tenant_scope(tenant):
        try:
            report = excel.import_catalog(SYSTEM, tenant, Path(path).read_bytes(), domain_code=domain_code,
                                          progress=progress)
        except DomainError as exc:
            db.session.rollback()
            click.secho(exc.message, fg="red", err=True)
            sys.exit(1)
        db.session.commit()
    click.echo(f"{tenant.name}：{report.summary()}")


@catalog.command("export")
@click.argument("tenant_slug")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(tenant_slug: str, path: str) -> None:
    """把某单位的目录导出为标准格式的 .xlsx。"""
    tenant = tenant_or_exit(tenant_slug)
    with tenant_scope(tenant):
        Path(path).write_bytes(excel.export_catalog(tenant))
    click.echo(f"已导出到 {path}")


@catalog.command("report")
@click.argument("tenant_slug")
@click.option("--period", help="2026-11（月报告）或 2026-Q4（季通报），默认本月")
def report_command(tenant_slug: str, period: str | None) -> None:
    """某单位及其下级单位的公开完整率和时效（月报告、季通报）。"""
    from sqlalchemy import select

    from core.plugin_api import Tenant
    root = tenant_or_exit(tenant_slug)
    p = monitor.Period.parse(period, china_today())
    tenants = [t for t in db.session.scalars(select(Tenant).where(Tenant.path.startswith(root.path),
                                                                    Tenant.status == "active").order_by(Tenant.path))
               if "catalog" in (t.enabled_plugins or [])]
    click.echo(f"{root.name} {p.label} 政务公开监测")
    click.echo("单位\t适用\t已公开\t完整率\t逾期\t即将到期\t超时\t本期发布")
    for r in monitor.evaluate(tenants, period=p):
        click.echo(f"{r.tenant.name}\t{r.applicable}\t{r.current}\t{r.completeness:.0%}\t{r.count('overdue')}\t"
                   f"{r.count('due_soon')}\t{r.late}\t{r.published_in_period}")


@catalog.command("derive")
@click.argument("tenant_slug")
def derive_command(tenant_slug: str) -> None:
    """把上级标准目录中新增、本单位尚未采用的事项补充到本单位目录。"""
    tenant = tenant_or_exit(tenant_slug)
    with tenant_scope(tenant):
        created = services.add_missing(SYSTEM, tenant) if services.all_items(tenant) else services.seed(tenant)
        db.session.commit()
    click.echo(f"{tenant.name}：补充 {created} 个事项。")
