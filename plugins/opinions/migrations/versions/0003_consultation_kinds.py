"""consultation kinds (规章, 重大行政决策, 行政规范性文件, 其他) and the tenant's own minimum period for 其他

Revision ID: 0003_opinions
Revises: 0002_opinions
Create Date: 2026-12-09 10:00:00

Existing consultations become 其他, whose default minimum (30 days) is the one rule they were
checked against so far: nothing about them changes.
"""
from alembic import op
import sqlalchemy as sa

from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration


revision = '0003_opinions'
down_revision = '0002_opinions'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no table rebuild on SQLite, so no cascade through the comments).
    op.add_column('opinion_consultations', sa.Column('kind', sa.String(length=20), nullable=False,
                                                     server_default='other'))
    op.create_table('opinion_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('other_min_period', sa.Integer(), nullable=False),
    sa.Column('other_period_unit', sa.String(length=10), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_opinion_settings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_settings')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_opinion_settings_tenant_id'))
    )
    with op.batch_alter_table('opinion_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_settings_tenant_id'), ['tenant_id'], unique=False)
    enable_rls_in_migration(op, ['opinion_settings'])


def downgrade():
    disable_rls_in_migration(op, ['opinion_settings'])
    with op.batch_alter_table('opinion_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_settings_tenant_id'))
    op.drop_table('opinion_settings')
    op.drop_column('opinion_consultations', 'kind')
