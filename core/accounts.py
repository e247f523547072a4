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

from core.db import TimestampMixin, UTCDateTime, db, utcnow
from core.errors import AccessDenied, Conflict, DomainError, NotFound
from core.tenancy import Tenant

ROLES = ("admin", "editor", "reviewer")
ROLE_LABELS = {"admin": "管理员", "editor": "编辑", "reviewer": "审核员"}


class Permission(StrEnum):
    ADMIN_ACCESS = "admin.access"        # enter this tenant's admin area
    CONTENT_VIEW = "content.view"        # see drafts and internal attachments
    CONTENT_EDIT = "content.edit"        # create and edit content
    CONTENT_PUBLISH = "content.publish"  # approve publication (confidentiality review)
    TENANT_MANAGE = "tenant.manage"      # settings, plugins, provision and archive child tenants
    USERS_MANAGE = "users.manage"        # accounts and role grants within the subtree
    AUDIT_READ = "audit.read"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset({Permission.ADMIN_ACCESS, Permission.CONTENT_VIEW, Permission.TENANT_MANAGE,
                        Permission.USERS_MANAGE, Permission.AUDIT_READ}),
    "editor": frozenset({Permission.ADMIN_ACCESS, Permission.CONTENT_VIEW, Permission.CONTENT_EDIT}),
    "reviewer": frozenset({Permission.ADMIN_ACCESS, Permission.CONTENT_VIEW, Permission.CONTENT_PUBLISH}),
}

MIN_PASSWORD_LENGTH = 8


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_superadmin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    grants: Mapped[list["RoleGrant"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def set_password(self, password: str) -> None:
        validate_password(password)
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.display_name else self.username


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "tenant_id", "role"),
        CheckConstraint("role IN ('admin', 'editor', 'reviewer')", name="role"),
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
    """Roles the user holds on this tenant through a grant on it or on any ancestor."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return frozenset()
    cache = user.__dict__.setdefault("_roles_cache", {})
    if tenant.id not in cache:
        ids = tenant.ancestor_ids + [tenant.id]
        cache[tenant.id] = frozenset(db.session.scalars(
            select(RoleGrant.role).where(RoleGrant.user_id == user.id, RoleGrant.tenant_id.in_(ids))
        ))
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
        raise AccessDenied("您没有执行此操作的权限。")
    raise NotFound("页面不存在。")


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

def validate_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。", field="password")


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


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None; a missing user costs the same hashing time."""
    user = user_by_username((username or "").strip())
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


_DUMMY_HASH = generate_password_hash("timing-equaliser")


def grant_role(actor, user: User, tenant: Tenant, role: str) -> tuple[RoleGrant, bool]:
    """Grant `role` on `tenant`; returns (grant, created)."""
    if role not in ROLES:
        raise DomainError(f"未知角色“{role}”，可选：{'、'.join(ROLES)}。", field="role")
    require_permission(actor, Permission.USERS_MANAGE, tenant)
    existing = db.session.scalar(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.tenant_id == tenant.id, RoleGrant.role == role))
    if existing:
        return existing, False
    grant = RoleGrant(user=user, tenant=tenant, role=role)
    db.session.add(grant)
    db.session.flush()
    user.__dict__.pop("_roles_cache", None)
    return grant, True


def revoke_role(actor, user: User, tenant: Tenant, role: str) -> bool:
    require_permission(actor, Permission.USERS_MANAGE, tenant)
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
