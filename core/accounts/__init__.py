"""Users, role grants on tenants, API tokens, and the one permission check.

A grant of a role on a tenant applies to that tenant's whole subtree. Every view, API endpoint
and CLI command asks `has_permission()` / `require_permission()`; nothing else decides access.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core import clock
from core.clock import utcnow
from core.accounts.crypto import EncryptedString
from core.db import TimestampMixin, UTCDateTime, db
from core.errors import AccessDenied, Conflict, DomainError, NotFound
from core.tenants import Tenant

ROLES = ("admin", "security_admin", "audit_admin", "editor", "reviewer")
ROLE_LABELS = {"admin": "系统管理员", "security_admin": "安全管理员", "audit_admin": "审计管理员",
               "editor": "编辑", "reviewer": "审核员"}
# 三员分立 (separation of duties, 等保 2.0 level 3): the system admin runs the tenants, the security
# admin runs accounts and grants, the audit admin only reads the log. One person holds at most one
# of the three, anywhere, and none of them holds a content role (editor, reviewer) anywhere.
SEPARATED_ROLES = frozenset({"admin", "security_admin", "audit_admin"})
CONTENT_ROLES = frozenset({"editor", "reviewer"})


def excluded_by(role: str, held: set[str]) -> set[str]:
    """The roles already held that forbid `role` to the same person (the rule, not a list of pairs)."""
    if role in SEPARATED_ROLES:
        return held & ((SEPARATED_ROLES - {role}) | CONTENT_ROLES)
    if role in CONTENT_ROLES:
        return held & SEPARATED_ROLES
    return set()


def excluded_combination(roles: set[str]) -> set[str]:
    """Roles of one person that break separation of duties together (empty when none do)."""
    return {r for r in roles if excluded_by(r, roles - {r})}


class Permission(StrEnum):
    ADMIN_ACCESS = "admin.access"        # enter this tenant's admin area
    CONTENT_VIEW = "content.view"        # see drafts and internal attachments
    CONTENT_EDIT = "content.edit"        # create and edit content
    CONTENT_PUBLISH = "content.publish"  # approve publication (confidentiality review)
    TENANT_MANAGE = "tenant.manage"      # settings, plugins, provision and archive child tenants
    USERS_MANAGE = "users.manage"        # accounts and role grants within the subtree
    AUDIT_READ = "audit.read"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset({Permission.ADMIN_ACCESS, Permission.CONTENT_VIEW, Permission.TENANT_MANAGE}),
    "security_admin": frozenset({Permission.ADMIN_ACCESS, Permission.USERS_MANAGE}),
    "audit_admin": frozenset({Permission.ADMIN_ACCESS, Permission.AUDIT_READ}),
    "editor": frozenset({Permission.ADMIN_ACCESS, Permission.CONTENT_VIEW, Permission.CONTENT_EDIT}),
    "reviewer": frozenset({Permission.ADMIN_ACCESS, Permission.CONTENT_VIEW, Permission.CONTENT_PUBLISH}),
}

MIN_PASSWORD_LENGTH = 8      # PASSWORD_MIN_LENGTH may raise it
MAX_PASSWORD_LENGTH = 128


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_superadmin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed password or second-factor attempts since the last success; at LOGIN_LOCKOUT_THRESHOLD
    # the account is locked until locked_until.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Base32 TOTP secret once the person has set up an authenticator app, and the last 30-second
    # step accepted (a code is never accepted twice).
    # Encrypted at rest with a key outside the database (core/accounts/crypto.py).
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString)
    totp_last_step: Mapped[int | None] = mapped_column()
    # The one-time enrolment code the security admin issued (a keyed hash) and its end: with it and
    # the password, and only so, the person sets up the second factor.
    enrol_code_hash: Mapped[str | None] = mapped_column(String(64))
    enrol_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the session's user id: incrementing it ends every session of the user at once
    # (deactivation, a password change, "log out everywhere").
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    grants: Mapped[list["RoleGrant"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The id in the session, with the epoch: a session made before the epoch moved is dead."""
        return f"{self.id}:{self.session_epoch or 0}"

    def end_sessions(self) -> None:
        self.session_epoch = (self.session_epoch or 0) + 1

    def set_password(self, password: str) -> None:
        validate_password(password, username=self.username)
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.password_changed_at = utcnow()

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > utcnow()

    @property
    def password_expired(self) -> bool:
        days = int(current_app.config.get("PASSWORD_MAX_AGE_DAYS") or 0)
        changed = self.password_changed_at or self.created_at
        return bool(days) and changed is not None and (utcnow() - changed).days >= days

    @property
    def needs_second_factor(self) -> bool:
        """Two-factor login is required of superadmins and of the roles in TOTP_REQUIRED_ROLES
        (system, security and audit admins and reviewers by default), and of anyone who set it up."""
        if self.totp_secret:
            return True
        required = set(current_app.config.get("TOTP_REQUIRED_ROLES", DEFAULT_TOTP_ROLES))
        return (self.is_superadmin and "superadmin" in required) or any(g.role in required for g in self.grants)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.display_name else self.username


DEFAULT_TOTP_ROLES = ("superadmin", "admin", "security_admin", "audit_admin", "reviewer")


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "tenant_id", "role"),
        CheckConstraint("role IN ('admin', 'security_admin', 'audit_admin', 'editor', 'reviewer')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants")
    tenant: Mapped[Tenant] = relationship()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # Only a SHA-256 of the token is kept; the token itself is shown once, when issued.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SystemActor:
    """The operator at the console (CLI): passes every permission check, audited as 'system'."""

    id = None
    username = "system"
    label = "系统（命令行）"
    is_superadmin = True
    is_authenticated = True
    is_active = True


SYSTEM = SystemActor()


# --- the permission check ---------------------------------------------------------------------

def roles_on(user, tenant: Tenant) -> frozenset[str]:
    """Roles the user holds on this tenant through a grant on it or on any ancestor. The user's
    grants are read once (one query per request, kept on the user object) and every tenant is
    answered from them: a page that checks fifty units asks the database once."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return frozenset()
    cache = user.__dict__.setdefault("_roles_cache", {})
    if tenant.id not in cache:
        if "grants" not in cache:
            cache["grants"] = tuple(db.session.execute(
                select(RoleGrant.tenant_id, RoleGrant.role).where(RoleGrant.user_id == user.id)).all())
        ids = set(tenant.ancestor_ids) | {tenant.id}
        cache[tenant.id] = frozenset(role for tenant_id, role in cache["grants"] if tenant_id in ids)
    return cache[tenant.id]


def has_permission(user, permission: Permission | str, tenant: Tenant) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superadmin", False):
        return True
    return any(Permission(permission) in ROLE_PERMISSIONS[r] for r in roles_on(user, tenant))


def require_permission(user, permission: Permission | str, tenant: Tenant) -> None:
    """Refuse with NotFound when the user has nothing to do with the tenant (no existence leak),
    with AccessDenied when they do but lack this permission."""
    if has_permission(user, permission, tenant):
        return
    if getattr(user, "is_superadmin", False) or roles_on(user, tenant):
        refusal = AccessDenied("您没有执行此操作的权限。")
    else:
        refusal = NotFound("页面不存在。")
    refusal.refused = (str(Permission(permission)), tenant)   # the error handler audits it
    raise refusal


def may_see_personal_data(user, tenant: Tenant) -> bool:
    """Policy: names and contacts people gave (registrations, opinions) shown unmasked and exported
    in full, always audited: the tenant's admins only; everyone else sees them masked."""
    return has_permission(user, Permission.TENANT_MANAGE, tenant)


def granted_tenants(user) -> list[Tenant]:
    """Top tenants of the user's grants (each grant covers the subtree below it)."""
    if getattr(user, "is_superadmin", False):
        return list(db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None)).order_by(Tenant.id)))
    tenants = {g.tenant.id: g.tenant for g in user.grants}
    # A grant under another grant's tenant adds nothing to reach.
    tops = [t for t in tenants.values()
            if not any(o.id != t.id and t.is_in_subtree_of(o) for o in tenants.values())]
    return sorted(tops, key=lambda t: t.path)


# --- services ---------------------------------------------------------------------------------

def validate_password(password: str, *, username: str = "") -> None:
    """The password policy: long enough, not one of the most common passwords, not the user name.
    Character classes (PASSWORD_REQUIRED_CLASSES) only when an assessment demands them."""
    password = password or ""
    minimum = max(MIN_PASSWORD_LENGTH, int(current_app.config.get("PASSWORD_MIN_LENGTH") or 0))
    if len(password) < minimum:
        raise DomainError(f"密码至少需要 {minimum} 个字符。", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(f"密码最长 {MAX_PASSWORD_LENGTH} 个字符。", field="password")
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) <= 2:
        raise DomainError("这个密码太常见，很容易被猜中，请换一个。", field="password")
    # A short name (li, wang) is part of too many good passwords: only the name itself is refused.
    name = (username or "").lower()
    if name and (lowered == name or (len(name) >= 4 and name in lowered)):
        raise DomainError("密码不能包含用户名。", field="password")
    classes = int(current_app.config.get("PASSWORD_REQUIRED_CLASSES") or 0)
    if classes:
        present = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                       any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))
        if present < classes:
            raise DomainError(f"密码需要包含小写字母、大写字母、数字、符号中的至少 {classes} 类。", field="password")


_COMMON: frozenset[str] | None = None


def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public leaks (zxcvbn's list), loaded on first use."""
    global _COMMON
    if _COMMON is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS
        _COMMON = frozenset(FREQUENCY_LISTS["passwords"])
    return _COMMON


def user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def create_user(username: str, password: str, *, display_name: str = "", superadmin: bool = False) -> User:
    username = (username or "").strip()
    if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise DomainError("用户名只能包含字母、数字、点、连字符和下划线，最长 64 个字符。", field="username")
    if user_by_username(username):
        raise Conflict(f"用户名“{username}”已被使用。", field="username")
    user = User(username=username, display_name=(display_name or "").strip(), is_superadmin=superadmin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


class LoginRefused(Exception):
    """Why a login attempt was refused; the message is what the person reads."""

    def __init__(self, message: str, user: "User | None" = None, locked_now: bool = False, reason: str = ""):
        super().__init__(message)
        self.message, self.user, self.locked_now = message, user, locked_now
        self.reason = reason or message          # for the audit log, not for the person


# One answer for a wrong name, a wrong password and a locked account: the login form does not tell
# who has an account here (the lock still applies, and the audit log and the security admin's
# list of users say which it was).
BAD_CREDENTIALS = "用户名或密码错误，或账号因多次登录失败已被临时锁定。请稍后再试，或联系安全管理员。"


def authenticate(username: str, password: str) -> User:
    """The user for these credentials, or LoginRefused. A missing user costs the same hashing
    time; a locked account is refused before its password is checked."""
    user = user_by_username((username or "").strip())
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginRefused(BAD_CREDENTIALS, reason="用户名不存在")
    if user.is_locked or not _claim_attempt(user):
        check_password_hash(_DUMMY_HASH, password or "")
        raise LoginRefused(BAD_CREDENTIALS, user, reason="账号已临时锁定")
    if not user.check_password(password or ""):
        if _lock_if_spent(user):
            raise LoginRefused(BAD_CREDENTIALS, user, locked_now=True, reason="密码错误，账号已临时锁定")
        raise LoginRefused(BAD_CREDENTIALS, user, reason="密码错误")
    if not user.active:  # told only to someone who knows the password
        raise LoginRefused("该账号已停用，请联系安全管理员。", user)
    return user


def locked_message(user: User) -> str:
    minutes = max(1, int((user.locked_until - utcnow()).total_seconds() + 59) // 60)
    return f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试，或请安全管理员解锁。"


def _threshold() -> int:
    return int(current_app.config.get("LOGIN_LOCKOUT_THRESHOLD", 5))


def _add_attempt(user: User) -> int:
    """One more counted attempt, in one statement (parallel requests never lose one)."""
    from sqlalchemy import update
    count = db.session.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
                               .returning(User.failed_logins)).scalar_one()
    db.session.refresh(user, ["failed_logins"])
    return count


def _claim_attempt(user: User) -> bool:
    """Count this attempt before the (slow) password check, so that parallel attempts cannot all
    slip in before the lock: False when the allowance is spent (the account is locked now)."""
    if _threshold() and _add_attempt(user) > _threshold():
        _lock(user)
        return False
    return True


def _lock_if_spent(user: User) -> bool:
    """After a wrong password: lock when this attempt used the last of the allowance."""
    if _threshold() and (user.failed_logins or 0) >= _threshold():
        _lock(user)
        return True
    return False


def _lock(user: User) -> None:
    from datetime import timedelta

    from sqlalchemy import update
    minutes = int(current_app.config.get("LOGIN_LOCKOUT_MINUTES", 15))
    db.session.execute(update(User).where(User.id == user.id).values(
        failed_logins=0, locked_until=utcnow() + timedelta(minutes=minutes)))
    db.session.refresh(user, ["failed_logins", "locked_until"])


def count_failure(user: User) -> bool:
    """A failed second step, counted like a password attempt; True when it locked the account."""
    _add_attempt(user)
    return _lock_if_spent(user)


def login_succeeded(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()


def unlock(user: User) -> bool:
    """Lift a lockout (security admins, `cms users unlock`); False when it was not locked."""
    was_locked = user.is_locked or bool(user.failed_logins)
    user.failed_logins = 0
    user.locked_until = None
    return was_locked


def set_active(user: User, active: bool) -> None:
    """Deactivating ends every session of the user at once; the account and its history stay."""
    if user.active and not active:
        user.end_sessions()
    user.active = active


# --- two-factor login (TOTP, RFC 6238) ------------------------------------------------------------

TOTP_ISSUER = "政务公开平台"


def new_totp_secret() -> str:
    import pyotp
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    import pyotp
    issuer = current_app.config.get("SITE_NAME") or TOTP_ISSUER
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def check_totp(user: User, code: str, secret: str | None = None) -> bool:
    """A six-digit code of the current 30-second step or the one either side (clock drift), never
    one already used: the step accepted is kept."""
    import pyotp
    secret = secret or user.totp_secret
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = int(clock.timestamp())
    step = now // totp.interval
    for offset in (-1, 0, 1):
        candidate = step + offset
        if user.totp_last_step is not None and candidate <= user.totp_last_step:
            continue
        if secrets.compare_digest(totp.at(now + offset * totp.interval), code):
            # Claimed in one statement: of two requests with the same code, one wins.
            from sqlalchemy import or_, update
            claimed = db.session.execute(update(User).where(
                User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < candidate))
                .values(totp_last_step=candidate)).rowcount
            if user.id is not None:
                db.session.refresh(user, ["totp_last_step"])
            return claimed == 1
    return False


_DUMMY_HASH = generate_password_hash("timing-equaliser")


def may_manage_person(actor, user: User, tenant: Tenant) -> bool:
    """Policy: a security admin manages the accounts and grants of people wholly inside the subtrees
    he manages (he manages accounts wherever they hold a role), on a tenant he manages, and never
    his own; superadmins and the console operator (SYSTEM) manage everyone."""
    if not has_permission(actor, Permission.USERS_MANAGE, tenant):
        return False
    if actor is SYSTEM or getattr(actor, "is_superadmin", False):
        return True
    if getattr(actor, "id", None) == user.id:
        return False
    # Wholly inside: the actor manages accounts wherever this person holds a role.
    return not user.is_superadmin and all(has_permission(actor, Permission.USERS_MANAGE, g.tenant) for g in user.grants)


def require_person_management(actor, user: User, tenant: Tenant) -> None:
    require_permission(actor, Permission.USERS_MANAGE, tenant)
    if not may_manage_person(actor, user, tenant):
        if getattr(actor, "id", None) == user.id:
            raise AccessDenied("不能修改自己的角色或账号状态，请由另一位安全管理员办理。")
        raise AccessDenied(f"{user.username} 在本单位及下级单位以外也有角色，只能由上级单位的安全管理员管理。")


def grant_role(actor, user: User, tenant: Tenant, role: str) -> tuple[RoleGrant, bool]:
    """Grant `role` on `tenant`; returns (grant, created)."""
    if role not in ROLES:
        raise DomainError(f"未知角色“{role}”，可选：{'、'.join(ROLES)}。", field="role")
    require_person_management(actor, user, tenant)
    existing = db.session.scalar(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.tenant_id == tenant.id, RoleGrant.role == role))
    if existing:
        return existing, False
    held = excluded_by(role, {g.role for g in user.grants})
    if held or user.is_superadmin:          # an installation operator holds no role besides
        other = "超级管理员" if user.is_superadmin else "、".join(ROLE_LABELS[r] for r in sorted(held))
        raise Conflict(f"三员分立：{user.username} 已是{other}，不能再担任{ROLE_LABELS[role]}。", field="role")
    grant = RoleGrant(user=user, tenant=tenant, role=role)
    db.session.add(grant)
    db.session.flush()
    user.__dict__.pop("_roles_cache", None)
    return grant, True


def revoke_role(actor, user: User, tenant: Tenant, role: str) -> bool:
    require_person_management(actor, user, tenant)
    grant = db.session.scalar(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.tenant_id == tenant.id, RoleGrant.role == role))
    if grant is None:
        return False
    db.session.delete(grant)
    db.session.flush()
    user.__dict__.pop("_roles_cache", None)
    return True


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for the user; the plain token is returned once and never stored."""
    plain = current_app.config["API_TOKEN_PREFIX"] + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), token_hash=_token_digest(plain), prefix=plain[:12])
    db.session.add(token)
    db.session.flush()
    return token, plain


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def user_for_token(plain: str) -> User | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(plain or "")))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user
