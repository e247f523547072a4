"""record last editor

Revision ID: 0003_catalog
Revises: 0002_catalog
Create Date: 2026-11-23 03:12:20.323833
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_catalog'
down_revision = '0002_catalog'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_edited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_catalog_records_last_edited_by_id_users'), 'users', ['last_edited_by_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_catalog_records_last_edited_by_id_users'), type_='foreignkey')
        batch_op.drop_column('last_edited_by_id')

