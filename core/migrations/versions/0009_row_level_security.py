"""row-level security (PostgreSQL): the tenant check function, and policies on the core's
tenant-owned tables (plugins add theirs in their own migrations)

Revision ID: 0009_core
Revises: 0008_core
Create Date: 2026-11-23 09:50:00
"""
from alembic import op

from core.security import rls


revision = '0009_core'
down_revision = '0008_core'
branch_labels = None
depends_on = None

TABLES = ["attachments", "search_entries"]


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(rls.FUNCTION_SQL)
    rls.enable_in_migration(op, TABLES)


def downgrade():
    rls.disable_in_migration(op, TABLES)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION cms_tenant_visible(integer)")
