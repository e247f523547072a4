"""row-level security (PostgreSQL): the gazette tables behind the tenant policy of core.security.rls

Revision ID: 0002_gazette
Revises: 0001_gazette
Create Date: 2026-11-23 09:50:00
"""
from alembic import op

from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration


revision = '0002_gazette'
down_revision = '0001_gazette'
branch_labels = None
depends_on = '0009_core'

TABLES = ['gazettes', 'gazette_issues', 'gazette_articles', 'gazette_article_issuers', 'gazette_article_attachments']


def upgrade():
    enable_rls_in_migration(op, TABLES)


def downgrade():
    disable_rls_in_migration(op, TABLES)
