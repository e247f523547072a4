"""row-level security (PostgreSQL): the open_day tables behind the tenant policy of core.security.rls

Revision ID: 0002_open_day
Revises: 0001_open_day
Create Date: 2026-11-23 09:50:00
"""
from alembic import op

from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration


revision = '0002_open_day'
down_revision = '0001_open_day'
branch_labels = None
depends_on = '0009_core'

TABLES = ['open_days', 'open_day_registrations', 'open_day_review_photos']


def upgrade():
    enable_rls_in_migration(op, TABLES)


def downgrade():
    disable_rls_in_migration(op, TABLES)
