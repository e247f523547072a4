"""Logging in (password, then the second factor), logging out, one's own account, and the users
and grants of a tenant."""
from __future__ import annotations

import segno
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from core import audit
from core.accounts import (ROLE_LABELS, ROLES, LoginRefused, Permission, RoleGrant, User, authenticate, check_totp,
                           count_failure, create_user, grant_role, locked_message, login_succeeded, may_manage_person,
                           new_totp_secret, revoke_role, set_active, totp_uri, unlock, user_by_username)
from core.accounts.forms import GrantForm, LoginForm, NewUserForm, PasswordForm, TotpForm, TotpSetupForm
from core.accounts.second_factor import (check_enrolment_code, enrolment_hours, issue_enrolment_code, looks_like_recovery_code,
                                         new_recovery_codes, recovery_codes_left, use_recovery_code)
from core.accounts.sessions import DatabaseSessionInterface, delete_expired_sessions
from core.actions import show_error
from core.clock import utcnow
from core.db import db
from core.errors import DomainError
from core.forms import ActionForm
from core.forms import choices as to_choices
from core.security.ratelimit import client_address, limiter
from core.tenants import STATUS_ACTIVE, Tenant, tenant_by_slug
from core.web import safe_next
from core.web.admin import bp, requires


LOGIN_LIMIT = "LOGIN_LIMIT_PER_ADDRESS"


PENDING_KEY = "pending_login"          # the user who gave a right password, until the second step


PENDING_SECONDS = 300


def _login_limit():
    return current_app.config.get(LOGIN_LIMIT, "30 per minute;300 per hour")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address,
               error_message="登录尝试过于频繁，请稍后再试。")
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except LoginRefused as refused:
            error = refused.message
            audit.record("user.login_failed", actor_name=form.username.data.strip()[:64], summary=refused.reason)
            if refused.locked_now:
                audit.record("user.locked", target=refused.user, actor_name=refused.user.username,
                             summary="连续登录失败，账号已临时锁定")
            db.session.commit()
        else:
            next_url = safe_next(request.args.get("next"))
            if user.needs_second_factor:
                session.clear()
                session[PENDING_KEY] = {"user": user.id, "epoch": user.session_epoch or 0,
                                        "at": utcnow().timestamp(), "next": next_url}
                _new_session_id()    # a planted session id must not carry the half-done login
                return redirect(url_for("admin.login_totp" if user.totp_secret else "admin.totp_setup"))
            return _complete_login(user, next_url)
    return render_template("admin/login.html", form=form, error=error), (200 if error is None else 401)


def _complete_login(user: User, next_url: str | None, how: str = "登录成功"):
    session.clear()  # nothing from before the login survives it
    login_user(user)
    _new_session_id()
    session["login_at"] = session["seen_at"] = utcnow().timestamp()
    login_succeeded(user)
    audit.record("user.login", actor=user, summary=how)
    db.session.commit()
    if isinstance(current_app.session_interface, DatabaseSessionInterface):
        delete_expired_sessions()       # sessions that ended without a logout: gone at the next login
    if user.password_expired:
        flash("密码已到期，请先修改密码。", "error")
        return redirect(url_for("admin.account"))
    return redirect(next_url or url_for("admin.index"))


def _new_session_id() -> None:
    """Server-side sessions: a new id, so a planted one is worthless (a signed-cookie session is
    replaced whole anyway). Flask-Session regenerates only a session that holds something."""
    regenerate = getattr(current_app.session_interface, "regenerate", None)
    if regenerate is not None:
        regenerate(session)


def _pending_user() -> User | None:
    """The user between the password and the second step, for at most five minutes."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    if user is None or not user.active or user.is_locked or (user.session_epoch or 0) != pending.get("epoch"):
        return None
    return user


def _second_factor_failed(user: User, form, field=None, message: str = "") -> None:
    locked = count_failure(user)
    audit.record("user.login_failed", actor_name=user.username, summary="绑定码错误" if message else "动态验证码错误")
    if locked:
        audit.record("user.locked", target=user, actor_name=user.username, summary="连续登录失败，账号已临时锁定")
        session.pop(PENDING_KEY, None)
    db.session.commit()
    (field or form.code).errors.append(locked_message(user) if locked else
                                       message or "验证码不正确或已使用过，请输入验证器上最新的 6 位数字，或一个未用过的恢复码。")


@bp.route("/login/totp", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address,
               error_message="登录尝试过于频繁，请稍后再试。")
def login_totp():
    user = _pending_user()
    if user is None or not user.totp_secret:
        flash("请重新登录。", "error")
        return redirect(url_for("admin.login"))
    form = TotpForm()
    if form.validate_on_submit():
        typed = form.code.data.strip()
        if check_totp(user, typed):
            return _complete_login(user, session.get(PENDING_KEY, {}).get("next"), "登录成功（双因素）")
        if looks_like_recovery_code(typed) and use_recovery_code(user, typed):
            left = recovery_codes_left(user)
            audit.record("user.recovery_code_used", target=user, actor=user, summary=f"以恢复码登录，剩余 {left} 个")
            response = _complete_login(user, session.get(PENDING_KEY, {}).get("next"), "登录成功（恢复码）")
            flash(f"已使用一个恢复码，还剩 {left} 个。手机找回或更换后，请联系安全管理员重新绑定。",
                  "error" if left <= 2 else "success")
            return response
        _second_factor_failed(user, form)
    return render_template("admin/login_totp.html", form=form, user=user), (200 if not form.errors else 401)


@bp.route("/login/totp/setup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address,
               error_message="登录尝试过于频繁，请稍后再试。")
def totp_setup():
    """First login of someone who must use two-factor login: the one-time enrolment code the
    security admin issued (the password alone does not enrol an account), then the key added to an
    authenticator app and proved with a code. The key is kept only once both matched; ten one-time
    recovery codes are shown once."""
    user = _pending_user()
    if user is None or user.totp_secret:
        flash("请重新登录。", "error")
        return redirect(url_for("admin.login"))
    pending = session[PENDING_KEY]
    if not pending.get("secret"):
        pending["secret"] = new_totp_secret()
        session[PENDING_KEY] = pending
    secret = pending["secret"]
    form = TotpSetupForm()
    if form.validate_on_submit():
        if not check_enrolment_code(user, form.enrol_code.data):
            _second_factor_failed(user, form, field=form.enrol_code,
                                  message="绑定码不正确或已过期，请向安全管理员索取新的绑定码。")
        elif check_totp(user, form.code.data, secret=secret):
            user.totp_secret = secret
            user.enrol_code_hash = user.enrol_code_expires_at = None
            codes = new_recovery_codes(user)
            audit.record("user.totp_enrolled", target=user, actor=user, summary="启用双因素登录，生成 10 个恢复码")
            done = _complete_login(user, pending.get("next"), "登录成功（首次启用双因素）")
            return render_template("admin/recovery_codes.html", codes=codes, next_url=done.location)
        else:
            _second_factor_failed(user, form)
    uri = totp_uri(user, secret)
    return render_template("admin/totp_setup.html", form=form, user=user, secret=secret, uri=uri,
                           qr=segno.make(uri, error="m").svg_data_uri(scale=4)), (200 if not form.errors else 401)


@bp.post("/logout")
@login_required
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    audit.record("user.logout", summary="退出登录")
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出。", "success")
    _new_session_id()                    # the old id is deleted on the server: a copied cookie opens nothing
    return redirect(url_for("admin.login"))


@bp.before_app_request
def _expired_password_first():
    """With PASSWORD_MAX_AGE_DAYS, an expired password must be changed before anything else."""
    if (request.path.startswith("/admin/") and current_user.is_authenticated and current_user.password_expired
            and request.endpoint not in ("admin.account", "admin.logout", "static")):
        flash("密码已到期，请先修改密码。", "error")
        return redirect(url_for("admin.account"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("当前密码不正确。")
        elif form.new.data != form.confirm.data:
            form.confirm.errors.append("两次输入的新密码不一致。")
        else:
            try:
                current_user.set_password(form.new.data)
            except DomainError as exc:
                form.new.errors.append(exc.message)
            else:
                # Every other session of this person ends; this one carries on under the new epoch.
                current_user.end_sessions()
                audit.record("user.password", target=current_user, summary="修改密码，其他会话已结束")
                db.session.commit()
                login_user(current_user._get_current_object())
                flash("密码已修改，其他设备上的登录已失效。", "success")
                return redirect(url_for("admin.account"))
    return render_template("admin/account.html", form=form)


def _subtree_choices(tenant: Tenant) -> list[tuple[str, str]]:
    rows = db.session.scalars(select(Tenant).where(Tenant.path.startswith(tenant.path), Tenant.status == STATUS_ACTIVE)
                              .order_by(Tenant.path))
    return [(t.slug, ("　" * (len(t.ancestor_ids) - len(tenant.ancestor_ids))) + t.name) for t in rows]


def _tenant_in_subtree(slug: str) -> Tenant:
    tenant = tenant_by_slug(slug)
    if tenant is None or not tenant.is_in_subtree_of(g.tenant):
        raise DomainError("请选择本单位或下级单位。", field="tenant")
    return tenant


@bp.route("/<tenant_slug>/users", methods=["GET", "POST"])
@requires(Permission.USERS_MANAGE)
def users():
    tenant = g.tenant
    choices = _subtree_choices(tenant)
    role_choices = [(r, ROLE_LABELS[r]) for r in ROLES]
    new_form = NewUserForm(prefix="new")
    grant_form = GrantForm(prefix="grant")
    for form in (new_form, grant_form):
        form.role.choices = to_choices(role_choices)
        form.tenant.choices = to_choices(choices)
    if request.method == "POST":
        try:
            if "new-username" in request.form and new_form.validate_on_submit():
                target = _tenant_in_subtree(new_form.tenant.data)
                user = create_user(new_form.username.data, new_form.password.data, display_name=new_form.display_name.data)
                grant_role(current_user, user, target, new_form.role.data)
                audit.record("user.create", target=user, tenant=target,
                             summary=f"新建用户 {user.username}，授予{target.name}{ROLE_LABELS[new_form.role.data]}")
                db.session.commit()
                flash(f"已新建用户“{user.username}”。", "success")
                return redirect(url_for("admin.users"))
            if "grant-username" in request.form and grant_form.validate_on_submit():
                target = _tenant_in_subtree(grant_form.tenant.data)
                user = user_by_username(grant_form.username.data.strip())
                if user is None:
                    raise DomainError(f"用户“{grant_form.username.data.strip()}”不存在。", field="username")
                _, created = grant_role(current_user, user, target, grant_form.role.data)
                if created:
                    audit.record("role.grant", target=user, tenant=target,
                                 summary=f"授予 {user.username} {target.name}{ROLE_LABELS[grant_form.role.data]}")
                db.session.commit()
                flash("已授权。" if created else "该用户已有此授权。", "success")
                return redirect(url_for("admin.users"))
        except DomainError as exc:
            show_error(new_form if "new-username" in request.form else grant_form, exc)

    subtree_grants = db.session.scalars(
        select(RoleGrant).join(Tenant, RoleGrant.tenant_id == Tenant.id).join(User, RoleGrant.user_id == User.id)
        .where(Tenant.path.startswith(tenant.path)).order_by(User.username, Tenant.path, RoleGrant.role)
    ).all()
    by_user: dict[int, list[RoleGrant]] = {}
    for grant in subtree_grants:
        by_user.setdefault(grant.user_id, []).append(grant)
    listed = [(grants[0].user, grants) for grants in by_user.values()]
    # Account actions only for people wholly inside this subtree (see user_action)
    manageable = {u.id for u, _ in listed if may_manage_person(current_user, u, tenant)}
    return render_template("admin/users.html", tenant=tenant, new_form=new_form, grant_form=grant_form,
                           users=listed, manageable=manageable)


@bp.post("/<tenant_slug>/grants/<int:grant_id>/revoke")
@requires(Permission.USERS_MANAGE)
def revoke(grant_id: int):
    grant = db.session.get(RoleGrant, grant_id) if 0 < grant_id < 2**31 else None
    if grant is None or not grant.tenant.is_in_subtree_of(g.tenant) or not ActionForm().validate_on_submit():
        abort(404)
    if grant.user_id == current_user.id and grant.role == "admin" and grant.tenant_id == g.tenant.id:
        flash("不能撤销自己在当前单位的管理员权限。", "error")
        return redirect(url_for("admin.users"))
    user, target, role = grant.user, grant.tenant, grant.role
    revoke_role(current_user, user, target, role)
    audit.record("role.revoke", target=user, tenant=target, summary=f"撤销 {user.username} {target.name}{ROLE_LABELS[role]}")
    db.session.commit()
    flash(f"已撤销 {user.username} 在{target.name}的{ROLE_LABELS[role]}权限。", "success")
    return redirect(url_for("admin.users"))


USER_ACTIONS = {
    "unlock": ("user.unlock", "解锁账号", "已解锁"),
    "deactivate": ("user.deactivate", "停用账号，其会话已全部结束", "已停用"),
    "activate": ("user.activate", "启用账号", "已启用"),
}


@bp.post("/<tenant_slug>/users/<int:user_id>/<action>")
@requires(Permission.USERS_MANAGE)
def user_action(user_id: int, action: str):
    """The security admin's account actions on someone with a grant in this subtree."""
    if action not in {*USER_ACTIONS, "reset_totp"} or not ActionForm().validate_on_submit() or not 0 < user_id < 2**31:
        abort(404)
    user = db.session.get(User, user_id)
    if user is not None and user.id == current_user.id:
        flash("不能对自己的账号执行此操作。", "error")
        return redirect(url_for("admin.users"))
    # Only people wholly inside this subtree (may_manage_person): a town's security admin cannot
    # lock out, unlock or reset someone who also works above the town, nor an installation operator.
    if user is None or not user.grants or not may_manage_person(current_user, user, g.tenant):
        abort(404)
    if action == "reset_totp":
        code = issue_enrolment_code(current_user, user, g.tenant)
        db.session.commit()
        flash(f"已重置 {user.username} 的双因素登录。一次性绑定码：{code}（{enrolment_hours()} 小时内有效，只显示这一次；"
              "请当面或通过密码以外的渠道交给本人）。", "success")
        return redirect(url_for("admin.users"))
    if action == "unlock":
        unlock(user)
    else:
        set_active(user, action == "activate")
    key, summary, done = USER_ACTIONS[action]
    audit.record(key, target=user, tenant=g.tenant, summary=f"{summary}：{user.username}")
    db.session.commit()
    flash(f"{done}：{user.username}。", "success")
    return redirect(url_for("admin.users"))
