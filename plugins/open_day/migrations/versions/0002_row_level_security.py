"""row-level security (PostgreSQL): the open_day tables behind the tenant policy of core.rls

Revision ID: 0002_open_day
Revises: 0001_open_day
Create Date: 2026-11-23 09:50:00
"""
from alembic import op

from core import rls


revision = '0002_open_day'
down_revision = '0001_open_day'
branch_labels = None
depends_on = '0009_core'

TABLES = ['open_days', 'open_day_registrations', 'open_day_review_photos']


def upgrade():
    rls.enable_in_migration(op, TABLES)


def downgrade():
    rls.disable_in_migration(op, TABLES)
