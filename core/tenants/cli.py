"""`cms tenants` (sync, create, list, archive) and `cms demo`."""
from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core.accounts import SYSTEM
from core.cli import fail, tenant_or_exit
from core.db import db
from core.errors import DomainError
from core.tenants import KIND_LABELS, STATUS_ARCHIVED, Tenant, TenantKind
from core.tenants.provisioning import create_tenant, set_status, sync_file


tenants = AppGroup("tenants", help="单位（租户）：同步、新建、列出、撤并。")


@tenants.command("sync")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并报告，不写入。")
def tenants_sync(path: str, dry_run: bool) -> None:
    """按 YAML 文件新建或更新单位和用户（幂等；出错时不写入任何内容）。"""
    try:
        report = sync_file(path, dry_run=dry_run)
    except DomainError as exc:  # SyncError included: every problem, each naming its entry
        fail(exc.message)
    except Exception as exc:  # never a traceback, and never half a file
        fail(f"同步失败，未写入任何内容：{type(exc).__name__}: {exc}")
    for line in report.lines:
        if not line.startswith("未变") or dry_run:
            click.echo(line)
    click.echo(("（试运行，未写入）" if dry_run else "") + report.summary())


@tenants.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="中文名称")
@click.option("--kind", type=click.Choice([k.value for k in TenantKind]), required=True)
@click.option("--parent", "parent_slug", help="上级单位的 slug（区县不填）")
@click.option("--unit-code", help="单位代码（用于索引号）")
def tenants_create(slug: str, name: str, kind: str, parent_slug: str | None, unit_code: str | None) -> None:
    """新建一个单位。"""
    parent = tenant_or_exit(parent_slug) if parent_slug else None
    try:
        tenant = create_tenant(SYSTEM, slug=slug, name=name, kind=kind, parent=parent, unit_code=unit_code)
    except DomainError as exc:
        fail(exc.message)
    db.session.commit()
    click.echo(f"已新建{tenant.kind_label}“{tenant.name}”：/{tenant.url_path}/")


@tenants.command("list")
@click.option("--all", "show_all", is_flag=True, help="包括已撤并的单位")
def tenants_list(show_all: bool) -> None:
    """以树形列出单位。"""
    rows = db.session.scalars(select(Tenant).order_by(Tenant.path)).all()
    for t in rows:
        if not show_all and not t.is_active:
            continue
        depth = len(t.ancestor_ids)
        status = "" if t.is_active else "  [已撤并]"
        click.echo(f"{'  ' * depth}{t.name}（{t.slug}，{KIND_LABELS[TenantKind(t.kind)]}）{status}")


@tenants.command("archive")
@click.argument("slug")
def tenants_archive(slug: str) -> None:
    """撤并一个单位：页面与内容保留为存档，不再更新。"""
    tenant = tenant_or_exit(slug)
    try:
        changed = set_status(SYSTEM, tenant, STATUS_ARCHIVED)
    except DomainError as exc:
        fail(exc.message)
    db.session.commit()
    click.echo(f"已撤并“{tenant.name}”。" if changed else f"“{tenant.name}”早已撤并，无改动。")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """为演示县加载各功能模块的示例内容（可重复运行）。"""
    from flask import current_app

    from core.plugins import collect
    try:
        lines = collect(current_app.extensions["cms"].hook.demo_content)
    except DomainError as exc:
        fail(exc.message)
    db.session.commit()
    from core.notify import deliver_committed
    deliver_committed()
    for line in lines:
        click.echo(line)
    click.echo("示例内容已就绪。" if lines else "没有需要加载的示例内容。")
    _demo_enrolment_codes()


def _demo_enrolment_codes() -> None:
    """The demo's accounts that need two-factor login and have not set it up get a fresh one-time
    enrolment code each run, printed here for the person trying the demo (a real installation's
    security admin issues them in the users page, or with `cms users reset-2fa`)."""
    from core.accounts import User
    from core.accounts.second_factor import issue_enrolment_code
    waiting = [u for u in db.session.scalars(select(User).where(User.active.is_(True), User.totp_secret.is_(None))
                                             .order_by(User.id)) if u.needs_second_factor]
    codes = [(u.username, issue_enrolment_code(SYSTEM, u)) for u in waiting]
    db.session.commit()
    if codes:
        click.echo("演示账号首次登录启用双因素时需要的一次性绑定码（重新运行会重新签发）：")
        for username, code in codes:
            click.echo(f"  {username}: {code}")


commands = [tenants, demo]
