"""tenants: content version and time of the last public change (page cache invalidation)

Revision ID: 0006_core
Revises: 0005_core
Create Date: 2026-11-23 06:20:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0006_core'
down_revision = '0005_core'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('content_changed_at', core.db.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('content_changed_at')
        batch_op.drop_column('content_version')
