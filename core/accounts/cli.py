"""`cms users`: accounts, grants and API tokens, as the console operator."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from core import audit
from core.accounts import (ROLES, SYSTEM, ApiToken, create_user, grant_role, issue_token, revoke_role, revoke_token,
                           set_active, unlock)
from core.cli import fail, tenant_or_exit, user_or_exit
from core.db import db
from core.errors import DomainError


users = AppGroup("users", help="用户、授权和 API 令牌。")


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
        fail(exc.message)
    audit.record("user.create", target=user, actor=SYSTEM, summary=f"新建用户 {user.username}")
    db.session.commit()
    click.echo(f"已新建用户“{user.username}”。")


@users.command("password")
@click.argument("username")
@click.option("--password", prompt="新密码", hide_input=True, confirmation_prompt=True, help="不填则交互输入")
def users_password(username: str, password: str) -> None:
    """为用户设置新密码（其所有会话随即结束）。"""
    user = user_or_exit(username)
    try:
        user.set_password(password)
    except DomainError as exc:
        fail(exc.message)
    user.end_sessions()
    audit.record("user.password", target=user, actor=SYSTEM, summary=f"在命令行为 {user.username} 设置新密码")
    db.session.commit()
    click.echo(f"已为“{user.username}”设置新密码，其所有会话已结束。")


def _account_command(name: str, help_text: str, apply, summary: str, done: str) -> None:
    @users.command(name, help=help_text)
    @click.argument("username")
    def command(username: str) -> None:
        user = user_or_exit(username)
        apply(user)
        audit.record(f"user.{name.replace('-', '_')}", target=user, actor=SYSTEM, summary=f"{summary}：{user.username}")
        db.session.commit()
        click.echo(f"{done}：{user.username}。")


_account_command("unlock", "解除因连续登录失败造成的锁定。", unlock, "解锁账号", "已解锁")


_account_command("deactivate", "停用账号（其所有会话随即结束）。", lambda u: set_active(u, False), "停用账号", "已停用")


_account_command("activate", "重新启用账号。", lambda u: set_active(u, True), "启用账号", "已启用")




@users.command("reset-2fa")
@click.argument("username")
def users_reset_2fa(username: str) -> None:
    """重置双因素登录并签发一次性绑定码（首次启用、手机丢失或更换时；本人凭绑定码和密码重新绑定）。"""
    from core.accounts.second_factor import enrolment_hours, issue_enrolment_code
    user = user_or_exit(username)
    code = issue_enrolment_code(SYSTEM, user)
    db.session.commit()
    click.echo(f"已重置 {user.username} 的双因素登录。一次性绑定码（{enrolment_hours()} 小时内有效，只显示这一次）：")
    click.echo(code)


@users.command("grant")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
@click.argument("tenant_slug")
def users_grant(username: str, role: str, tenant_slug: str) -> None:
    """授予用户在某单位（及其下级）的角色。"""
    user, tenant = user_or_exit(username), tenant_or_exit(tenant_slug)
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
    user, tenant = user_or_exit(username), tenant_or_exit(tenant_slug)
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
    user = user_or_exit(username)
    token, plain = issue_token(user, name)
    audit.record("token.issue", target=user, actor=SYSTEM, summary=f"签发令牌 #{token.id} {name}".strip())
    db.session.commit()
    click.echo(f"令牌 #{token.id}（请妥善保存，不会再次显示）：")
    click.echo(plain)


@users.command("tokens")
@click.argument("username")
def users_tokens(username: str) -> None:
    """列出用户的 API 令牌。"""
    user = user_or_exit(username)
    for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)):
        state = "已撤销" if t.revoked_at else "有效"
        click.echo(f"#{t.id}  {t.prefix}…  {t.name or '-'}  {state}")


@users.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int) -> None:
    """撤销一个 API 令牌。"""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        fail(f"令牌 #{token_id} 不存在。")
    revoke_token(token)
    audit.record("token.revoke", target=token.user, actor=SYSTEM, summary=f"撤销令牌 #{token_id}")
    db.session.commit()
    click.echo(f"已撤销令牌 #{token_id}。")


commands = [users]
