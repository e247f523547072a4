"""each migration branch's applied revision (core, and every plugin), so that a plugin removed from
the installation can be set aside and `cms db upgrade` still knows where core stands

Revision ID: 0011_core
Revises: 0010_core
Create Date: 2026-12-07 16:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0011_core'
down_revision = '0010_core'
branch_labels = None
depends_on = None


def upgrade():
    # Installation-wide: no tenant_id, so no row-level security policy.
    op.create_table('migration_branches',
    sa.Column('branch', sa.String(length=64), nullable=False),
    sa.Column('revision', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('branch', name=op.f('pk_migration_branches'))
    )


def downgrade():
    op.drop_table('migration_branches')
