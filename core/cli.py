"""Helpers of the `cms` command line for core features and plugins: a red message and exit status 1
on a missing tenant or user. Commands act as the console operator (`SYSTEM`) through the same
services and permission checks as the web; every change is audited. The `cms` group itself is
assembled in core.app."""
from __future__ import annotations

import sys

import click

from core.accounts import (User, user_by_username)
from core.db import db
from core.tenants import Tenant, tenant_by_slug


def fail(message: str) -> None:
    db.session.rollback()
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def tenant_or_exit(slug: str) -> Tenant:
    """The tenant named on the command line, or a red message and exit status 1 (plugins use it too)."""
    tenant = tenant_by_slug(slug)
    if tenant is None:
        fail(f"单位“{slug}”不存在。")
    return tenant


def user_or_exit(username: str) -> User:
    user = user_by_username(username)
    if user is None:
        fail(f"用户“{username}”不存在。")
    return user
