"""The tenant tree and tenant isolation: every tenant-owned query is filtered here, not in views.

A *scope* says which tenants the code running now may see and write. It is set once per request
(after the tenant is resolved from the URL) or explicitly with `tenant_scope()` /
`across_tenants()`. With no scope, tenant-owned queries return nothing and inserts fail: the
filter fails closed. `across_tenants(...)` is the one greppable way to work over several tenants.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from enum import StrEnum
from datetime import datetime
from typing import Iterable, Iterator

from flask import abort
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, event, false, select
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship, with_loader_criteria

from core.db import TenantSession, TimestampMixin, UTCDateTime, db


class TenantKind(StrEnum):
    DISTRICT = "district"
    TOWN = "town"
    VILLAGE = "village"


KIND_LABELS = {TenantKind.DISTRICT: "区县", TenantKind.TOWN: "乡镇（街道）", TenantKind.VILLAGE: "村（社区）"}
# The only allowed parent kind of each kind: towns hang under districts, villages under towns.
PARENT_KIND = {TenantKind.DISTRICT: None, TenantKind.TOWN: TenantKind.DISTRICT, TenantKind.VILLAGE: TenantKind.TOWN}
CHILD_KIND = {TenantKind.DISTRICT: TenantKind.TOWN, TenantKind.TOWN: TenantKind.VILLAGE, TenantKind.VILLAGE: None}

STATUS_ACTIVE = "active"
STATUS_ARCHIVED = "archived"

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$")
HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d+)?$")
# Slugs that would collide with the platform's own URL segments (plugin names are added at run time).
RESERVED_SLUGS = frozenset({
    "admin", "api", "static", "login", "logout", "files", "search", "feeds", "feed", "healthz",
    "users", "tenants", "audit", "plugins", "attachments", "settings", "new", "help", "about",
    "dashboard", "account", "token", "tokens", "display", "sitemap", "robots",
})


class TenantScopeError(RuntimeError):
    """Tenant-owned data was written outside the current scope, or with no tenant to stamp."""


class Tenant(TimestampMixin, db.Model):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("kind IN ('district', 'town', 'village')", name="kind"),
        CheckConstraint("status IN ('active', 'archived')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    # Materialized path of ids, "/1/4/17/": ancestors are in it, descendants share its prefix.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    unit_code: Mapped[str | None] = mapped_column(String(32))
    intro: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[dict] = mapped_column(JSON, default=dict)
    # A district's footer identification (core.tenants.provisioning.SITE_FIELDS); None until set.
    site_info: Mapped[dict | None] = mapped_column(JSON, default=dict)
    enabled_plugins: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=STATUS_ACTIVE)
    host: Mapped[str | None] = mapped_column(String(255), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Incremented, with the time, whenever public content of this tenant or below it changes (core.web.pagecache).
    content_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    content_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped["Tenant | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Tenant"]] = relationship(
        back_populates="parent", order_by="(Tenant.sort_order, Tenant.id)"
    )

    def __repr__(self) -> str:
        return f"<Tenant {self.slug} ({self.kind})>"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[TenantKind(self.kind)]

    @property
    def is_active(self) -> bool:
        return self.status == STATUS_ACTIVE

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (not including this tenant)."""
        return [int(p) for p in self.path.strip("/").split("/") if p][:-1]

    def ancestors(self) -> list["Tenant"]:
        """From the root down to the parent; one query, cached on the instance."""
        cached = self.__dict__.get("_ancestors")
        if cached is None:
            ids = self.ancestor_ids
            by_id = {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.id.in_(ids)))} if ids else {}
            cached = [by_id[i] for i in ids]
            self.__dict__["_ancestors"] = cached
        return cached

    @property
    def url_path(self) -> str:
        """The public path that shows the position in the tree: district/town/village."""
        return "/".join([a.slug for a in self.ancestors()] + [self.slug])

    @property
    def root(self) -> "Tenant":
        ancestors = self.ancestors()
        return ancestors[0] if ancestors else self

    def is_in_subtree_of(self, other: "Tenant") -> bool:
        return self.path.startswith(other.path)

    def active_children(self) -> list["Tenant"]:
        children = [c for c in self.children if c.is_active]
        lineage = self.ancestors() + [self]
        for child in children:  # their URLs need their ancestors: known already, no query per child
            child.__dict__.setdefault("_ancestors", lineage)
        return children


def subtree_ids(tenant: Tenant, *, include_archived: bool = True) -> list[int]:
    """Ids of the tenant and all its descendants (materialized-path prefix query)."""
    stmt = select(Tenant.id).where(Tenant.path.startswith(tenant.path))
    if not include_archived:
        stmt = stmt.where(Tenant.status == STATUS_ACTIVE)
    return list(db.session.scalars(stmt))


def tenant_by_slug(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def resolve_tenant_path(url_path: str) -> Tenant | None:
    """The tenant whose public path is exactly `url_path` (a village under the wrong town is None)."""
    slugs = url_path.strip("/").split("/")
    tenant = tenant_by_slug(slugs[-1])
    if tenant is None or tenant.url_path != "/".join(slugs):
        return None
    return tenant


# --- scopes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    # Tenants visible to tenant-owned queries; None means every tenant (explicit opt-out).
    tenant_ids: tuple[int, ...] | None
    # The tenant stamped on new tenant-owned rows; None means inserts must name their tenant.
    write_tenant_id: int | None
    reason: str

    def allows(self, tenant_id: int) -> bool:
        return self.tenant_ids is None or tenant_id in self.tenant_ids


_current_scope: ContextVar[Scope | None] = ContextVar("tenant_scope", default=None)


def current_scope() -> Scope | None:
    return _current_scope.get()


def enter_scope(scope: Scope | None) -> Token:
    return _current_scope.set(scope)


def exit_scope(token: Token) -> None:
    _current_scope.reset(token)


def scope_for(tenant: Tenant | int, reason: str = "tenant") -> Scope:
    tid = tenant if isinstance(tenant, int) else tenant.id
    return Scope(tenant_ids=(tid,), write_tenant_id=tid, reason=reason)


def _flush_pending() -> None:
    """Writes made inside a scope are flushed before it ends, while they are still allowed."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        session.flush()


@contextmanager
def tenant_scope(tenant: Tenant | int) -> Iterator[Scope]:
    """Run as one tenant: its rows only, new rows stamped with it."""
    token = enter_scope(scope_for(tenant))
    try:
        yield _current_scope.get()
        _flush_pending()
    finally:
        exit_scope(token)


@contextmanager
def across_tenants(tenant_ids: Iterable[int] | None, *, reason: str, write_tenant: Tenant | int | None = None) -> Iterator[Scope]:
    """The explicit opt-out: see the given tenants (None = all of them). Always give a reason."""
    if not reason:
        raise ValueError("across_tenants() needs a reason")
    write_id = write_tenant if isinstance(write_tenant, int) or write_tenant is None else write_tenant.id
    ids = None if tenant_ids is None else tuple(sorted(set(tenant_ids)))
    token = enter_scope(Scope(tenant_ids=ids, write_tenant_id=write_id, reason=reason))
    try:
        yield _current_scope.get()
        _flush_pending()
    finally:
        exit_scope(token)


@contextmanager
def across_subtree(tenant: Tenant, *, reason: str) -> Iterator[Scope]:
    """See a tenant and all its descendants (district supervision, aggregate pages)."""
    with across_tenants(subtree_ids(tenant), reason=reason, write_tenant=tenant) as scope:
        yield scope


class TenantScoped:
    """Mixin for tenant-owned models: queries are filtered and inserts stamped automatically."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT"), index=True, nullable=False)

    @declared_attr
    def tenant(cls) -> Mapped[Tenant]:
        # Explicit join: also works for a model whose metadata holds its own copy of the tenants table.
        return relationship(Tenant, primaryjoin=lambda: foreign(cls.__table__.c.tenant_id) == Tenant.id)


def _orm_filter_on() -> bool:
    """TENANT_ORM_FILTER=False switches this filter off, only to prove that PostgreSQL's row-level
    security (core.security.rls) holds on its own: the isolation tests run that way too."""
    from flask import current_app, has_app_context
    return not has_app_context() or current_app.config.get("TENANT_ORM_FILTER", True)


@event.listens_for(TenantSession, "do_orm_execute")
def _filter_tenant_owned(state) -> None:
    # Column loads refresh an object that was already loaded through a filtered query.
    if state.is_column_load or not (state.is_select or state.is_update or state.is_delete):
        return
    if not _orm_filter_on():
        return
    scope = _current_scope.get()
    if scope is None:
        criteria = with_loader_criteria(TenantScoped, lambda cls: false(), include_aliases=True)
    elif scope.tenant_ids is None:
        return
    else:
        # Read outside the lambda: SQLAlchemy turns the closure variable into a bound parameter.
        ids = scope.tenant_ids
        criteria = with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id.in_(ids), include_aliases=True)
    state.statement = state.statement.options(criteria)


@event.listens_for(TenantSession, "before_flush")
def _stamp_and_guard_writes(session, flush_context, instances) -> None:
    scope = _current_scope.get()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None and obj.tenant is not None:
            obj.tenant_id = obj.tenant.id
        if obj.tenant_id is None:
            if scope is None or scope.write_tenant_id is None:
                raise TenantScopeError(f"no tenant to stamp on new {type(obj).__name__}")
            obj.tenant_id = scope.write_tenant_id
        _check_writable(scope, obj)
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantScoped):
            _check_writable(scope, obj)


def _check_writable(scope: Scope | None, obj: TenantScoped) -> None:
    if scope is None or not scope.allows(obj.tenant_id):
        raise TenantScopeError(
            f"{type(obj).__name__} of tenant {obj.tenant_id} written outside the current scope"
        )


def get_or_404(model, ident):
    """Load a tenant-owned object by primary key through the filter (never the identity map alone).

    Another tenant's object is simply not found: 404, never 403, so nothing leaks its existence.
    """
    if not isinstance(ident, int) or not 0 < ident < 2**63:
        abort(404)
    obj = db.session.execute(select(model).where(model.id == ident)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj
