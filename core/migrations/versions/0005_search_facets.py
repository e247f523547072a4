"""search entries: local year (a facet of site search), a short state badge and the 文号

Revision ID: 0005_core
Revises: 0004_core
Create Date: 2026-11-23 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_core'
down_revision = '0004_core'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('badge', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('code', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_column('expires_on')
        batch_op.drop_column('code')
        batch_op.drop_column('badge')
        batch_op.drop_column('year')
