"""the site's identification shown in every page's footer (主办单位, 网站标识码, ICP备案号, 公安机关备案号,
党政机关网站标识, 纠错入口): a district's settings, empty until its admin fills them

Revision ID: 0015_core
Revises: 0014_core
Create Date: 2026-12-08 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_core'
down_revision = '0014_core'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants') as batch:
        batch.add_column(sa.Column('site_info', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('tenants') as batch:
        batch.drop_column('site_info')
