"""The database handle, the declarative base and the column types every model shares."""
from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import datetime, timezone
from typing import Iterator

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, Engine, MetaData, event, types
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.clock import utcnow

# Stable constraint names, so Alembic can alter them on both SQLite (batch mode) and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantSession(FlaskSession):
    """The application's session class; core.tenants attaches the tenant filter to it."""


db = SQLAlchemy(model_class=Base, session_options={"class_": TenantSession})


class UTCDateTime(types.TypeDecorator):
    """Timestamps stored as naive UTC (identical on SQLite and PostgreSQL), returned timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC datetimes")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)


# On SQLite a transaction that reads and then writes must take the write lock when it begins
# (BEGIN IMMEDIATE): a deferred one that has read fails with "database is locked" when another
# process wrote in between, whatever the busy timeout. Requests that change data (POST, PUT,
# PATCH, DELETE) and code inside `immediate_writes()` begin that way; reads stay concurrent.
_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


@contextmanager
def immediate_writes() -> Iterator[None]:
    """Transactions begun inside this block take SQLite's write lock at once (no-op elsewhere)."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def set_immediate_writes(value: bool) -> Token:
    return _immediate.set(value)


def reset_immediate_writes(token: Token) -> None:
    _immediate.reset(token)


# SQLITE_MMAP_MB=0 switches the memory map off (SQLite caps it at its build's limit, 2 GiB by default).
SQLITE_MMAP_BYTES = int(os.environ.get("SQLITE_MMAP_MB", "1024")) * 1024 * 1024


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite needs foreign keys switched on per connection; WAL lets readers run beside a writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's implicit deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Read the database through a memory map: pages come straight from the operating system's
        # cache, shared by every worker, instead of being copied into each connection's 2 MiB page
        # cache. At a city's scale (a 3 GB file) this halves a district search's index lookups.
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")
