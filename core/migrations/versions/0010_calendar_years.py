"""years whose whole holiday arrangement an administrator entered (the calendar's coverage)

Revision ID: 0010_core
Revises: 0009_core
Create Date: 2026-12-07 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0010_core'
down_revision = '0009_core'
branch_labels = None
depends_on = None


def upgrade():
    # Installation-wide like calendar_overrides: no tenant_id, so no row-level security policy.
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entered_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )


def downgrade():
    op.drop_table('calendar_years')
