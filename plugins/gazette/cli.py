"""`cms gazette …`: bulk import of historical issues, and making the PDFs of published issues."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from core.plugin_api import db, DomainError, tenant_or_exit, tenant_scope
from plugins.gazette import importer, pdf, services
from plugins.gazette.models import GazetteIssue

gazette = AppGroup("gazette", help="政府公报：批量导入历史公报、生成 PDF。")



@gazette.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("tenant_slug")
def import_command(folder: Path, tenant_slug: str) -> None:
    """从文件夹批量导入历史公报（每期一个 YAML 或 JSON 文件，正文可放在同目录的文本文件中）。

    每个文件要么整期导入，要么完全不导入；已导入的期次会跳过，可以放心重复运行。"""
    tenant = tenant_or_exit(tenant_slug)
    if "gazette" not in (tenant.enabled_plugins or []):
        click.secho(f"{tenant.name}没有启用政府公报。", fg="red", err=True)
        sys.exit(1)
    files = importer.metadata_files(folder)
    if not files:
        click.secho(f"{folder} 中没有 .yaml、.yml 或 .json 文件。", fg="red", err=True)
        sys.exit(1)

    def progress(items):
        with click.progressbar(items, label="导入公报", show_pos=True, file=sys.stderr,
                               item_show_func=lambda p: p.name if p else "") as bar:
            yield from bar

    report = importer.import_folder(tenant, folder, progress=progress)
    for name, reason in report.failed:
        click.secho(f"失败 {name}：{reason}", fg="red", err=True)
    click.echo(f"{tenant.name}：{report.summary()}")
    if report.failed:
        sys.exit(1)


@gazette.command("pdf")
@click.argument("tenant_slug")
@click.option("--year", type=int, help="只处理这一年")
def pdf_command(tenant_slug: str, year: int | None) -> None:
    """为已出版的各期生成 PDF（已是最新的跳过），例如批量导入之后。"""
    tenant = tenant_or_exit(tenant_slug)
    made = 0
    with tenant_scope(tenant):
        stmt = services.published_issues().order_by(GazetteIssue.total_number)
        if year:
            stmt = stmt.where(GazetteIssue.year == year)
        issues = db.session.scalars(stmt).all()
        with click.progressbar(issues, label="生成 PDF", show_pos=True, file=sys.stderr) as bar:
            for issue in bar:
                if pdf.cached_path(issue) is None:
                    try:
                        pdf.ensure_pdf(issue)
                    except DomainError as exc:
                        click.secho(exc.message, fg="red", err=True)
                        sys.exit(1)
                    db.session.commit()
                    made += 1
    click.echo(f"{tenant.name}：生成 {made} 期 PDF，{len(issues) - made} 期已是最新。")



