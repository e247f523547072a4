"""row-level security at full speed: the policy reads the tenant scope once per statement instead
of once per row, and site search takes its hits from the full-text index through a function that
applies the scope itself (the policy would have forced a scan of the whole index)

Revision ID: 0014_core
Revises: 0013_core
Create Date: 2026-12-07 19:30:00
"""
from alembic import op
import sqlalchemy as sa

from core.security import rls


revision = '0014_core'
down_revision = '0013_core'
branch_labels = None
depends_on = None

OLD_EXPRESSION = "cms_tenant_visible(tenant_id)"


def _policy_tables() -> list[str]:
    return list(op.get_bind().execute(sa.text(
        "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = :p ORDER BY tablename"),
        {"p": rls.POLICY}).scalars())


def _recreate(expression: str) -> None:
    for table in _policy_tables():
        op.execute(f'DROP POLICY {rls.POLICY} ON "{table}"')
        op.execute(f'CREATE POLICY {rls.POLICY} ON "{table}" USING ({expression}) WITH CHECK ({expression})')


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in rls.SCOPE_SQL:
        op.execute(statement)
    _recreate(rls.POLICY_EXPRESSION)
    op.execute(rls.SEARCH_FUNCTION_SQL)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS cms_search_hits(tsquery, boolean, text, text, boolean, integer)")
    _recreate(OLD_EXPRESSION)
