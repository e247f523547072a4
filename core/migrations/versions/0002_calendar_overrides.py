"""working-day calendar overrides

Revision ID: 0002_core
Revises: 0001_core
Create Date: 2026-11-23 02:34:50.255967
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_core'
down_revision = '0001_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides'))
    )


def downgrade():
    op.drop_table('calendar_overrides')
