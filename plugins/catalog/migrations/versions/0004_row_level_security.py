"""row-level security (PostgreSQL): the catalog tables behind the tenant policy of core.security.rls

Revision ID: 0004_catalog
Revises: 0003_catalog
Create Date: 2026-11-23 09:50:00
"""
from alembic import op

from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration


revision = '0004_catalog'
down_revision = '0003_catalog'
branch_labels = None
depends_on = '0009_core'

TABLES = ['catalog_items', 'catalog_records', 'catalog_record_attachments', 'catalog_index_sequences', 'catalog_settings']


def upgrade():
    enable_rls_in_migration(op, TABLES)


def downgrade():
    disable_rls_in_migration(op, TABLES)
