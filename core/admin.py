"""The admin shell: login, the dashboards, tenants, users and grants, plugins, attachments, audit.

Every tenant page runs the same three steps: the tenant is loaded from the URL (core.web),
`requires()` checks access, then the view acts. Plugins protect their admin pages with the
same `requires()` decorator.
"""
from __future__ import annotations

from functools import wraps

import segno

from flask import (Blueprint, abort, current_app, flash, g, has_request_context, redirect, render_template, request,
                   session, url_for)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import or_, select

from core import audit
from core.web import safe_next
from core.actions import run_form, show_error
from core.accounts import (ROLE_LABELS, ROLES, LoginRefused, Permission, RoleGrant, User, authenticate, check_totp,
                           count_failure, create_user, grant_role, granted_tenants, has_permission, locked_message,
                           login_succeeded, new_totp_secret, require_permission, revoke_role, set_active, totp_uri,
                           unlock, user_by_username)
from core.ratelimit import client_address, limiter
from core.attachments import Attachment, save_upload
from core.clock import china_today, utcnow
from core.db import db
from core.errors import DomainError
from core.forms import choices as to_choices
from core.forms import (ActionForm, CalendarForm, CalendarYearForm, ChildTenantForm, GrantForm, LoginForm, NewUserForm,
                        PasswordForm, TotpForm, TenantSettingsForm, UploadForm)
from core.pagination import page_args, paginate
from core.plugins import collect
from core.provisioning import CONTACT_FIELDS, create_tenant, set_plugins, set_status, update_tenant
from core.workdays import (ArrangementError, CalendarOverride, arrangement_summary, coverage_source, coverage_warnings,
                           in_year, parse_arrangement, remove_override, set_override, set_year, YEARS)
from core.tenancy import CHILD_KIND, KIND_LABELS, STATUS_ACTIVE, STATUS_ARCHIVED, Tenant, TenantKind, tenant_by_slug

bp = Blueprint("admin", __name__, url_prefix="/admin")


def requires(permission: Permission):
    """Log-in plus `permission` on the current tenant; 404 when the user has no role there at all."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            require_permission(current_user, permission, g.tenant)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def accessible_tenants(user) -> list[Tenant]:
    """Every tenant the user may enter in the admin area, in tree order."""
    tops = granted_tenants(user)
    if not tops:
        return []
    stmt = select(Tenant).where(or_(*[Tenant.path.startswith(t.path) for t in tops])).order_by(Tenant.path)
    return list(db.session.scalars(stmt))


def save_uploads(field_name: str) -> list[int]:
    """Store the files posted in the form field `field_name`; their attachment ids, audited."""
    ids = []
    for upload in request.files.getlist(field_name):
        if upload and upload.filename:
            item = save_upload(upload, uploaded_by=current_user)
            audit.record("attachment.upload", target=item, summary=f"上传附件 {item.filename}")
            ids.append(item.id)
    return ids


@bp.app_context_processor
def _admin_context():
    """For every admin page, the core's and the plugins' alike (and admin error pages)."""
    if not has_request_context() or not request.path.startswith("/admin/"):
        return {}
    tenant = g.get("tenant")
    nav = []
    if tenant is not None and current_user.is_authenticated:
        registry = current_app.extensions["cms"]
        allowed = lambda permission: has_permission(current_user, permission, tenant)  # noqa: E731
        nav = registry.enabled_items(tenant, registry.menu(tenant, "admin_menu", allowed)
                                     + collect(registry.hook_for(tenant, "admin_nav"), tenant=tenant, user=current_user))
    switch = accessible_tenants(current_user) if current_user.is_authenticated else []
    return {"admin_nav": nav, "switch_tenants": switch, "Permission": Permission, "role_labels": ROLE_LABELS, "kind_labels": KIND_LABELS,
            "action_form": ActionForm(formdata=None)}


# --- login ------------------------------------------------------------------------------------

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
            audit.record("user.login_failed", actor_name=form.username.data.strip()[:64], summary=refused.message)
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


def _second_factor_failed(user: User, form) -> None:
    locked = count_failure(user)
    audit.record("user.login_failed", actor_name=user.username, summary="动态验证码错误")
    if locked:
        audit.record("user.locked", target=user, actor_name=user.username, summary="连续登录失败，账号已临时锁定")
        session.pop(PENDING_KEY, None)
    db.session.commit()
    form.code.errors.append(locked_message(user) if locked else "验证码不正确或已使用过，请输入验证器上最新的 6 位数字。")


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
        if check_totp(user, form.code.data):
            return _complete_login(user, session.get(PENDING_KEY, {}).get("next"), "登录成功（双因素）")
        _second_factor_failed(user, form)
    return render_template("admin/login_totp.html", form=form, user=user), (200 if not form.errors else 401)


@bp.route("/login/totp/setup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=client_address,
               error_message="登录尝试过于频繁，请稍后再试。")
def totp_setup():
    """First login of someone who must use two-factor login: add the key to an authenticator
    app, then prove it with a code. The key is kept only once a code has matched it."""
    user = _pending_user()
    if user is None or user.totp_secret:
        flash("请重新登录。", "error")
        return redirect(url_for("admin.login"))
    pending = session[PENDING_KEY]
    if not pending.get("secret"):
        pending["secret"] = new_totp_secret()
        session[PENDING_KEY] = pending
    secret = pending["secret"]
    form = TotpForm()
    if form.validate_on_submit():
        if check_totp(user, form.code.data, secret=secret):
            user.totp_secret = secret
            audit.record("user.totp_enrolled", target=user, actor=user, summary="启用双因素登录")
            return _complete_login(user, pending.get("next"), "登录成功（首次启用双因素）")
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


# --- dashboards -------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    tops = granted_tenants(current_user)
    if len(tops) == 1:  # one grant (with its subtree): straight to that dashboard
        return redirect(url_for("admin.dashboard", tenant=tops[0]))
    return render_template("admin/index.html", tenants=accessible_tenants(current_user),
                           calendar_warnings=calendar_warnings())


def calendar_warnings() -> list:
    """Years without holiday data, for the people who can enter them (superadmins)."""
    return coverage_warnings(china_today()) if current_user.is_superadmin else []


@bp.get("/switch")
@login_required
def switch():
    tenant = tenant_by_slug(request.args.get("to", ""))
    if tenant is None or not has_permission(current_user, Permission.ADMIN_ACCESS, tenant):
        abort(404)
    return redirect(url_for("admin.dashboard", tenant=tenant))


@bp.get("/<tenant_slug>/")
@requires(Permission.ADMIN_ACCESS)
def dashboard():
    registry = current_app.extensions["cms"]
    widgets = registry.enabled_items(g.tenant, collect(registry.hook_for(g.tenant, "dashboard_widgets"),
                                                       tenant=g.tenant, user=current_user))
    return render_template("admin/dashboard.html", tenant=g.tenant, widgets=widgets, calendar_warnings=calendar_warnings())


# --- tenant settings and child tenants --------------------------------------------------------

@bp.route("/<tenant_slug>/settings", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def settings():
    tenant = g.tenant
    form = TenantSettingsForm(obj=tenant, **{k: tenant.contact.get(k, "") for k in CONTACT_FIELDS} if request.method == "GET" else {})
    if form.validate_on_submit():
        changes = {"name": form.name.data, "unit_code": form.unit_code.data, "intro": form.intro.data,
                   "contact": {k: getattr(form, k).data for k in CONTACT_FIELDS}}
        if current_user.is_superadmin and tenant.parent is None:
            changes["host"] = form.host.data

        def act():
            return update_tenant(current_user, tenant, **changes)
        done = run_form(form, act, message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("admin.settings"))
        if done:
            return done
    return render_template("admin/settings.html", tenant=tenant, form=form)


@bp.route("/<tenant_slug>/tenants", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def tenants():
    tenant = g.tenant
    child_kind = CHILD_KIND[TenantKind(tenant.kind)]
    form = ChildTenantForm()
    if child_kind is not None and form.validate_on_submit():
        def act():
            return create_tenant(current_user, slug=form.slug.data, name=form.name.data, kind=child_kind.value,
                                 parent=tenant, unit_code=form.unit_code.data or None)
        done = run_form(form, act, message=lambda child: f"已新建{child.kind_label}“{child.name}”。",
                        then=url_for("admin.tenants"))
        if done:
            return done
    return render_template("admin/tenants.html", tenant=tenant, form=form, child_kind=child_kind,
                           children=tenant.children)


@bp.post("/<tenant_slug>/tenants/<child_slug>/status")
@requires(Permission.TENANT_MANAGE)
def tenant_status(child_slug: str):
    child = tenant_by_slug(child_slug)
    if child is None or child.parent_id != g.tenant.id or not ActionForm().validate_on_submit():
        abort(404)
    status = request.form.get("status")
    try:
        set_status(current_user, child, STATUS_ARCHIVED if status == STATUS_ARCHIVED else STATUS_ACTIVE)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"“{child.name}”已{'撤并' if child.status == STATUS_ARCHIVED else '恢复'}。", "success")
    return redirect(url_for("admin.tenants"))


@bp.route("/<tenant_slug>/plugins", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def plugins():
    tenant = g.tenant
    registry = current_app.extensions["cms"]
    available = [i for i in registry.infos.values() if tenant.kind in i.tenant_kinds]
    form = ActionForm()
    if form.validate_on_submit():
        chosen = [i.name for i in available if request.form.get(f"plugin-{i.name}")]
        changed = set_plugins(current_user, tenant, chosen)
        db.session.commit()
        flash("已保存。" if changed else "没有改动。", "success")
        return redirect(url_for("admin.plugins"))
    return render_template("admin/plugins.html", tenant=tenant, available=available, form=form)


# --- users and grants -------------------------------------------------------------------------

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
    manageable = {u.id for u, _ in listed
                  if not u.is_superadmin and all(gr.tenant.is_in_subtree_of(tenant) for gr in u.grants)}
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
    "reset_totp": ("user.reset_totp", "重置双因素登录，下次登录时重新绑定", "已重置双因素登录"),
}


@bp.post("/<tenant_slug>/users/<int:user_id>/<action>")
@requires(Permission.USERS_MANAGE)
def user_action(user_id: int, action: str):
    """The security admin's account actions on someone with a grant in this subtree."""
    if action not in USER_ACTIONS or not ActionForm().validate_on_submit() or not 0 < user_id < 2**31:
        abort(404)
    user = db.session.get(User, user_id)
    # Only people wholly inside this subtree: a town's security admin cannot lock out, unlock or
    # reset someone who also works above the town, nor an installation operator.
    if user is None or not user.grants or not all(gr.tenant.is_in_subtree_of(g.tenant) for gr in user.grants):
        abort(404)
    if user.is_superadmin:
        abort(404)
    if user.id == current_user.id:
        flash("不能对自己的账号执行此操作。", "error")
        return redirect(url_for("admin.users"))
    if action == "unlock":
        unlock(user)
    elif action in ("deactivate", "activate"):
        set_active(user, action == "activate")
    else:
        user.totp_secret, user.totp_last_step = None, None
        user.end_sessions()
    key, summary, done = USER_ACTIONS[action]
    audit.record(key, target=user, tenant=g.tenant, summary=f"{summary}：{user.username}")
    db.session.commit()
    flash(f"{done}：{user.username}。", "success")
    return redirect(url_for("admin.users"))


# --- attachments and audit --------------------------------------------------------------------

@bp.route("/<tenant_slug>/attachments", methods=["GET", "POST"])
@requires(Permission.CONTENT_VIEW)
def attachments():
    form = UploadForm()
    if request.method == "POST":
        require_permission(current_user, Permission.CONTENT_EDIT, g.tenant)
        if form.validate_on_submit():
            try:
                item = save_upload(request.files.get("file"), uploaded_by=current_user, is_public=form.public.data)
            except DomainError as exc:
                show_error(form, exc)
            else:
                audit.record("attachment.upload", target=item, summary=f"上传附件 {item.filename}（{item.size_label}）")
                db.session.commit()
                flash(f"已上传“{item.filename}”。", "success")
                return redirect(url_for("admin.attachments"))
    page = paginate(select(Attachment).order_by(Attachment.created_at.desc(), Attachment.id.desc()), *page_args())
    return render_template("admin/attachments.html", tenant=g.tenant, form=form, page=page)


@bp.get("/audit")
@login_required
def audit_all():
    """The whole installation's log, logins and CLI runs included: superadmins only."""
    if not current_user.is_superadmin:
        abort(404)
    page = paginate(audit.subtree_query(None, action=request.args.get("action") or None), *page_args(50))
    tenant_names = {t.id: t.name for t in db.session.scalars(select(Tenant))}
    return render_template("admin/audit.html", tenant=None, page=page, tenant_names=tenant_names)


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    """Working-day overrides (放假、调休), kept by superadmins for years the package does not know yet."""
    if not current_user.is_superadmin:
        abort(404)
    year = request.args.get("year", type=int) or china_today().year
    if year not in YEARS:
        abort(404)
    form = CalendarForm()
    if form.validate_on_submit():
        day = form.day.data
        if request.form.get("remove"):
            remove_override(day)
            audit.record("calendar.remove", summary=f"删除 {day} 的设置")
        else:
            set_override(day, form.kind.data == "workday", form.note.data or "")
            audit.record("calendar.set", summary=f"{day} 设为{'工作日' if form.kind.data == 'workday' else '休息日'} {form.note.data}")
        db.session.commit()
        flash("已保存。", "success")
        return redirect(url_for("admin.calendar", year=day.year))
    return calendar_page(year, form, CalendarYearForm(formdata=None))


@bp.post("/calendar/<int:year>")
@login_required
def calendar_year(year: int):
    """A year's whole arrangement pasted from the State Council's notice: replaces its overrides."""
    if not current_user.is_superadmin or year not in YEARS:
        abort(404)
    form = CalendarYearForm()
    if form.validate_on_submit():
        try:
            days = parse_arrangement(year, form.arrangement.data)
        except ArrangementError as exc:
            form.arrangement.errors = list(form.arrangement.errors) + exc.problems
        else:
            set_year(year, days, actor=current_user, source=form.source.data or "")
            db.session.commit()
            flash(f"已录入 {year} 年节假日安排：{arrangement_summary(days)}。", "success")
            return redirect(url_for("admin.calendar", year=year))
    return calendar_page(year, CalendarForm(formdata=None), form)


def calendar_page(year: int, form: CalendarForm, year_form: CalendarYearForm):
    overrides = [(o.day, o.is_workday, o.note) for o in db.session.scalars(
        select(CalendarOverride).where(in_year(year)).order_by(CalendarOverride.day))]
    return render_template("admin/calendar.html", year=year, source=coverage_source(year), overrides=overrides,
                           form=form, year_form=year_form)


@bp.get("/<tenant_slug>/outbox")
@requires(Permission.TENANT_MANAGE)
def outbox():
    """Messages sent (or kept, when no SMS/e-mail plugin is installed) for this tenant and below."""
    from core.notify import Notification
    stmt = select(Notification).where(Notification.tenant_id.in_(
        select(Tenant.id).where(Tenant.path.startswith(g.tenant.path)))).order_by(Notification.id.desc())
    page = paginate(stmt, *page_args(50))
    return render_template("admin/outbox.html", tenant=g.tenant, page=page)


@bp.get("/<tenant_slug>/audit")
@requires(Permission.AUDIT_READ)
def audit_log():
    page = paginate(audit.subtree_query(g.tenant, action=request.args.get("action") or None), *page_args(50))
    tenant_names = {t.id: t.name for t in db.session.scalars(select(Tenant).where(Tenant.path.startswith(g.tenant.path)))}
    return render_template("admin/audit.html", tenant=g.tenant, page=page, tenant_names=tenant_names)
