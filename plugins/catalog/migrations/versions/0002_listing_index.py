"""catalog listing index

Revision ID: 0002_catalog
Revises: 0001_catalog
Create Date: 2026-11-23 03:03:26.221250
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_catalog'
down_revision = '0001_catalog'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_records_status'))
        batch_op.create_index('ix_catalog_records_listing', ['tenant_id', 'status', 'published_at'], unique=False)



def downgrade():
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.drop_index('ix_catalog_records_listing')
        batch_op.create_index(batch_op.f('ix_catalog_records_status'), ['status'], unique=False)

