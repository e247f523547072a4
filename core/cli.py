"""The `cms` command line: Flask's own commands (run, shell, routes, db) plus tenants and users.

Commands act as the console operator (`SYSTEM`) through the same services and permission check
as the web; every change is audited.
"""
from __future__ import annotations

import sys
from datetime import date, timedelta

import click
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import select

from core import audit
from core.accounts import (ROLES, SYSTEM, ApiToken, User, create_user, grant_role, issue_token, revoke_role,
                           revoke_token, set_active, unlock, user_by_username)
from core.db import db
from core.errors import DomainError
from core.provisioning import create_tenant, set_status, sync_file
from core.tenancy import KIND_LABELS, STATUS_ARCHIVED, Tenant, TenantKind, tenant_by_slug
from core.workdays import (ArrangementError, Calendar, arrangement_summary, coverage_source, format_arrangement,
                           parse_arrangement, remove_override, set_override, set_year, year_arrangement, YEARS)


def _fail(message: str) -> None:
    db.session.rollback()
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def tenant_or_exit(slug: str) -> Tenant:
    """The tenant named on the command line, or a red message and exit status 1 (plugins use it too)."""
    tenant = tenant_by_slug(slug)
    if tenant is None:
        _fail(f"单位“{slug}”不存在。")
    return tenant


def _user_or_fail(username: str) -> User:
    user = user_by_username(username)
    if user is None:
        _fail(f"用户“{username}”不存在。")
    return user


tenants = AppGroup("tenants", help="单位（租户）：同步、新建、列出、撤并。")
users = AppGroup("users", help="用户、授权和 API 令牌。")


@tenants.command("sync")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并报告，不写入。")
def tenants_sync(path: str, dry_run: bool) -> None:
    """按 YAML 文件新建或更新单位和用户（幂等；出错时不写入任何内容）。"""
    try:
        report = sync_file(path, dry_run=dry_run)
    except DomainError as exc:  # SyncError included: every problem, each naming its entry
        _fail(exc.message)
    except Exception as exc:  # never a traceback, and never half a file
        _fail(f"同步失败，未写入任何内容：{type(exc).__name__}: {exc}")
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
        _fail(exc.message)
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
        _fail(exc.message)
    db.session.commit()
    click.echo(f"已撤并“{tenant.name}”。" if changed else f"“{tenant.name}”早已撤并，无改动。")


@users.command("create")
@click.argument("username")
@click.option("--display-name", default="", help="姓名")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="不填则交互输入")
@click.option("--superadmin", is_flag=True, help="全系统管理员")
def users_create(username: str, display_name: str, password: str, superadmin: bool) -> None:
    """新建用户。"""
    try:
        user = create_user(username, password, display_name=display_name, superadmin=superadmin)
    except DomainError as exc:
        _fail(exc.message)
    audit.record("user.create", target=user, actor=SYSTEM, summary=f"新建用户 {user.username}")
    db.session.commit()
    click.echo(f"已新建用户“{user.username}”。")


@users.command("password")
@click.argument("username")
@click.option("--password", prompt="新密码", hide_input=True, confirmation_prompt=True, help="不填则交互输入")
def users_password(username: str, password: str) -> None:
    """为用户设置新密码（其所有会话随即结束）。"""
    user = _user_or_fail(username)
    try:
        user.set_password(password)
    except DomainError as exc:
        _fail(exc.message)
    user.end_sessions()
    audit.record("user.password", target=user, actor=SYSTEM, summary=f"在命令行为 {user.username} 设置新密码")
    db.session.commit()
    click.echo(f"已为“{user.username}”设置新密码，其所有会话已结束。")


def _account_command(name: str, help_text: str, apply, summary: str, done: str) -> None:
    @users.command(name, help=help_text)
    @click.argument("username")
    def command(username: str) -> None:
        user = _user_or_fail(username)
        apply(user)
        audit.record(f"user.{name.replace('-', '_')}", target=user, actor=SYSTEM, summary=f"{summary}：{user.username}")
        db.session.commit()
        click.echo(f"{done}：{user.username}。")


def _reset_totp(user) -> None:
    user.totp_secret, user.totp_last_step = None, None
    user.end_sessions()


_account_command("unlock", "解除因连续登录失败造成的锁定。", unlock, "解锁账号", "已解锁")
_account_command("deactivate", "停用账号（其所有会话随即结束）。", lambda u: set_active(u, False), "停用账号", "已停用")
_account_command("activate", "重新启用账号。", lambda u: set_active(u, True), "启用账号", "已启用")
_account_command("reset-2fa", "重置双因素登录（手机丢失时；下次登录重新绑定）。", _reset_totp, "重置双因素登录",
                 "已重置双因素登录")


@users.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@click.argument("tenant_slug")
def users_grant(username: str, role: str, tenant_slug: str) -> None:
    """授予用户在某单位（及其下级）的角色。"""
    user, tenant = _user_or_fail(username), tenant_or_exit(tenant_slug)
    _, created = grant_role(SYSTEM, user, tenant, role)
    if created:
        audit.record("role.grant", target=user, tenant=tenant, actor=SYSTEM, summary=f"授予 {username} {role}")
    db.session.commit()
    click.echo(f"已授予 {username} 在“{tenant.name}”的 {role} 角色。" if created else "该授权已存在，无改动。")


@users.command("revoke")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@click.argument("tenant_slug")
def users_revoke(username: str, role: str, tenant_slug: str) -> None:
    """撤销用户在某单位的角色。"""
    user, tenant = _user_or_fail(username), tenant_or_exit(tenant_slug)
    removed = revoke_role(SYSTEM, user, tenant, role)
    if removed:
        audit.record("role.revoke", target=user, tenant=tenant, actor=SYSTEM, summary=f"撤销 {username} {role}")
    db.session.commit()
    click.echo(f"已撤销 {username} 在“{tenant.name}”的 {role} 角色。" if removed else "没有这项授权，无改动。")


@users.command("token")
@click.argument("username")
@click.option("--name", default="", help="令牌用途，例如“办公系统推送”")
def users_token(username: str, name: str) -> None:
    """为用户签发 API 令牌（只显示这一次）。"""
    user = _user_or_fail(username)
    token, plain = issue_token(user, name)
    audit.record("token.issue", target=user, actor=SYSTEM, summary=f"签发令牌 #{token.id} {name}".strip())
    db.session.commit()
    click.echo(f"令牌 #{token.id}（请妥善保存，不会再次显示）：")
    click.echo(plain)


@users.command("tokens")
@click.argument("username")
def users_tokens(username: str) -> None:
    """列出用户的 API 令牌。"""
    user = _user_or_fail(username)
    for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)):
        state = "已撤销" if t.revoked_at else "有效"
        click.echo(f"#{t.id}  {t.prefix}…  {t.name or '-'}  {state}")


@users.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int) -> None:
    """撤销一个 API 令牌。"""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        _fail(f"令牌 #{token_id} 不存在。")
    revoke_token(token)
    audit.record("token.revoke", target=token.user, actor=SYSTEM, summary=f"撤销令牌 #{token_id}")
    db.session.commit()
    click.echo(f"已撤销令牌 #{token_id}。")


calendar = AppGroup("calendar", help="工作日日历：法定节假日与调休。")


@calendar.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("kind", type=click.Choice(["workday", "holiday"]))
@click.option("--note", default="", help="说明，例如“春节调休”")
def calendar_set(day, kind: str, note: str) -> None:
    """把某一天设为工作日（workday）或休息日（holiday）。"""
    set_override(day.date(), kind == "workday", note)
    audit.record("calendar.set", actor=SYSTEM, summary=f"{day.date()} 设为{'工作日' if kind == 'workday' else '休息日'} {note}")
    db.session.commit()
    click.echo(f"{day.date():%Y-%m-%d} 已设为{'工作日' if kind == 'workday' else '休息日'}。")


@calendar.command("remove")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
def calendar_remove(day) -> None:
    """删除某一天的人工设置，恢复为日历包的数据。"""
    removed = remove_override(day.date())
    if removed:
        audit.record("calendar.remove", actor=SYSTEM, summary=f"删除 {day.date()} 的设置")
    db.session.commit()
    click.echo("已删除。" if removed else "这一天没有人工设置。")


@calendar.command("show")
@click.argument("year", type=int)
def calendar_show(year: int) -> None:
    """列出某年的休息日调整与人工设置，并说明该年数据是否完整。"""
    cal = Calendar()
    source = coverage_source(year)
    if source is None:
        click.secho(f"{year} 年的法定节假日尚未维护：目前只按周末计算。"
                    f"国务院办公厅公布当年安排后，请用 cms calendar set-year {year} 文件 录入。", fg="yellow")
    else:
        click.echo(f"{year} 年的节假日安排来自{source}。")
    day, end = date(year, 1, 1), date(year, 12, 31)
    while day <= end:
        weekend = day.weekday() >= 5
        if cal.is_workday(day) == weekend:  # a weekday off or a weekend worked
            label = "调休上班" if weekend else "放假"
            mark = "（人工设置）" if day in cal.overrides else ""
            click.echo(f"{day:%Y-%m-%d} {'一二三四五六日'[day.weekday()]}  {label}{mark}")
        day += timedelta(days=1)


@calendar.command("set-year")
@click.argument("year", type=click.IntRange(YEARS.start, YEARS.stop - 1))
@click.argument("path", type=click.File("r", encoding="utf-8-sig"))
@click.option("--source", default="", help="依据，例如“国务院办公厅关于2027年部分节假日安排的通知”")
def calendar_set_year(year: int, path, source: str) -> None:
    """录入某年的全部放假和调休上班日期（国务院办公厅通知），替换该年原有的人工设置。

    文件每行一天：“2027-01-01 休 元旦”或“2027-02-07 班 春节调休”；# 之后为注释。
    有任何一行错误时不写入任何内容。"""
    if len(source) > 200:
        _fail("依据不能超过 200 个字。")
    try:
        days = parse_arrangement(year, path.read())
    except ArrangementError as exc:
        _fail(f"{path.name} 有错误，未写入任何内容：\n" + exc.message)
    set_year(year, days, actor=SYSTEM, source=source)
    db.session.commit()
    click.echo(f"已录入 {year} 年节假日安排：{arrangement_summary(days)}。")


@calendar.command("export-year")
@click.argument("year", type=click.IntRange(YEARS.start, YEARS.stop - 1))
def calendar_export_year(year: int) -> None:
    """按 set-year 的文件格式输出某年的放假和调休上班日期（用于复制到另一套系统）。"""
    if coverage_source(year) is None:
        _fail(f"{year} 年的节假日安排尚未录入，没有可导出的内容。")
    click.echo(format_arrangement(year, year_arrangement(year)), nl=False)


@click.command("demo")
@with_appcontext
def demo() -> None:
    """为演示县加载各功能模块的示例内容（可重复运行）。"""
    from flask import current_app

    from core.plugins import collect
    try:
        lines = collect(current_app.extensions["cms"].hook.demo_content)
    except DomainError as exc:
        _fail(exc.message)
    db.session.commit()
    from core.notify import deliver_committed
    deliver_committed()
    for line in lines:
        click.echo(line)
    click.echo("示例内容已就绪。" if lines else "没有需要加载的示例内容。")


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


search_group = AppGroup("search", help="站内搜索索引。")


@search_group.command("reindex")
@click.option("--tenant", "slug", help="只重建该单位及其下属单位的索引（默认全部）")
@click.option("--only", "key", help="只重建一类内容，例如 catalog.record")
def search_reindex(slug: str | None, key: str | None) -> None:
    """重建站内搜索索引。平时发布、失效、撤回和删除会即时更新索引，无需运行；
    在批量导入绕过了正常流程、或索引损坏时使用。"""
    from core import search
    from core.tenancy import subtree_ids
    known = [s.key for s in search.sources().all]
    if key and key not in known:
        _fail(f"没有这一类内容：“{key}”。可选：{'、'.join(known)}")
    tenant_ids = subtree_ids(tenant_or_exit(slug)) if slug else None
    total = search.candidate_count(tenant_ids, only=key)
    with click.progressbar(length=total, label="重建索引", show_pos=True) as bar:
        count = search.reindex(tenant_ids, only=key, progress=bar.update)
    db.session.commit()
    click.echo(f"已建立 {count} 条索引。")


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
    import csv
    from datetime import timezone
    tenant = tenant_or_exit(slug) if slug else None
    stmt = audit.subtree_query(tenant).order_by(None).order_by(audit.AuditEntry.seq)
    if since is not None:
        stmt = stmt.where(audit.AuditEntry.at >= since.replace(tzinfo=timezone.utc))
    names = {t.id: t.name for t in db.session.scalars(select(Tenant))}
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
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
        _fail(str(exc))
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
        _fail(str(exc))
    what = f"单位“{slug}”及其下级单位的当前数据将被备份中的数据替换" if slug else "整个系统将从备份恢复到这个空数据库"
    if not yes and not click.confirm(f"备份时间 {manifest['created_at'][:19]}（UTC）。{what}。继续吗？"):
        _fail("已取消，没有做任何改动。")
    try:
        report = backup.restore(path, tenant_slug=slug)
    except backup.BackupError as exc:
        _fail(str(exc))
    except Exception as exc:  # a conflict in the data: one transaction, nothing half-written
        _fail(f"恢复失败，没有做任何改动：{type(exc).__name__}: {exc}")
    audit.record("backup.restore", actor=SYSTEM, summary=f"从 {path}（{manifest['created_at'][:19]}）恢复"
                 f"{'单位 ' + slug if slug else '整个系统'}：{report.rows} 行数据、{report.files} 个附件")
    db.session.commit()
    click.echo(f"已恢复 {report.rows} 行数据和 {report.files} 个附件，并重建了站内搜索索引。")
    if not slug and not audit.verify_chain().ok:
        click.secho("注意：恢复的审计日志在本机无法校验。请使用与原系统相同的 AUDIT_HMAC_KEY（未设置时为 SECRET_KEY），"
                    "再运行 cms audit verify。", fg="yellow")


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


def register(app) -> None:
    app.cli.add_command(security_check)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(search_group)
    app.cli.add_command(demo)
    app.cli.add_command(privacy)
    app.cli.add_command(tenants)
    app.cli.add_command(users)
    app.cli.add_command(calendar)


def _create_app():
    from core import create_app
    return create_app()


main = FlaskGroup(create_app=_create_app, help="县级政务公开平台命令行。")
