"""row-level security (PostgreSQL): the opinions tables behind the tenant policy of core.security.rls

Revision ID: 0002_opinions
Revises: 0001_opinions
Create Date: 2026-11-23 09:50:00
"""
from alembic import op

from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration


revision = '0002_opinions'
down_revision = '0001_opinions'
branch_labels = None
depends_on = '0009_core'

TABLES = ['opinion_consultations', 'opinion_articles', 'opinion_consultation_attachments', 'opinion_answer_groups', 'opinion_comments']


def upgrade():
    enable_rls_in_migration(op, TABLES)


def downgrade():
    disable_rls_in_migration(op, TABLES)
