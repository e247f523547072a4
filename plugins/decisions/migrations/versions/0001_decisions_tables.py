"""decisions tables: the yearly 重大行政决策事项目录, its items, their stages and the list's changes

Revision ID: 0001_decisions
Revises:
Create Date: 2026-12-08 01:00:00
"""
from alembic import op
import sqlalchemy as sa
from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration, UTCDateTime


revision = '0001_decisions'
down_revision = None
branch_labels = ('decisions',)
depends_on = '0009_core'

# Tenant-owned tables, under row-level security on PostgreSQL (core.security.rls).
TABLES = ['decisions_lists', 'decisions_items', 'decisions_stages', 'decisions_changes']


def _tenant(table):
    return [sa.Column('tenant_id', sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'),
                                    ondelete='RESTRICT')]


def _stamps():
    return [sa.Column('created_at', UTCDateTime(), nullable=False), sa.Column('updated_at', UTCDateTime(), nullable=False)]


def upgrade():
    op.create_table('decisions_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=False),
    sa.Column('approval_meeting', sa.String(length=200), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('published_at', UTCDateTime(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('published_by_name', sa.String(length=100), nullable=False),
    sa.Column('completion_note', sa.Text(), nullable=False),
    sa.Column('completion_published_at', UTCDateTime(), nullable=True),
    sa.Column('completion_published_on', sa.Date(), nullable=True),
    *_tenant('decisions_lists'), *_stamps(),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_decisions_lists_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions_lists')),
    sa.UniqueConstraint('tenant_id', 'year', name='tenant_year')
    )
    with op.batch_alter_table('decisions_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_lists_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_lists_year'), ['year'], unique=False)

    op.create_table('decisions_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('decision_type', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('procedures', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('added_on', sa.Date(), nullable=True),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('removed_reason', sa.Text(), nullable=False),
    sa.Column('progress', sa.String(length=16), nullable=False),
    sa.Column('progress_reason', sa.Text(), nullable=False),
    *_tenant('decisions_items'), *_stamps(),
    sa.CheckConstraint("status IN ('active', 'removed')", name=op.f('ck_decisions_items_status')),
    sa.CheckConstraint("progress IN ('', 'done', 'in_progress')", name=op.f('ck_decisions_items_progress')),
    sa.ForeignKeyConstraint(['list_id'], ['decisions_lists.id'], name=op.f('fk_decisions_items_list_id_decisions_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions_items'))
    )
    with op.batch_alter_table('decisions_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_items_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_items_list_id'), ['list_id'], unique=False)

    op.create_table('decisions_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('ref', sa.String(length=100), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False),
    *_tenant('decisions_stages'), *_stamps(),
    sa.CheckConstraint("kind IN ('prepublic', 'hearing_notice', 'hearing_record', 'expert', 'risk', 'legality', "
                       "'meeting', 'result', 'followup')", name=op.f('ck_decisions_stages_kind')),
    sa.ForeignKeyConstraint(['item_id'], ['decisions_items.id'], name=op.f('fk_decisions_stages_item_id_decisions_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions_stages')),
    sa.UniqueConstraint('item_id', 'kind', 'seq', name='item_kind_seq')
    )
    with op.batch_alter_table('decisions_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_stages_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_stages_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_stages_ref'), ['ref'], unique=False)

    op.create_table('decisions_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('item_name', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False),
    *_tenant('decisions_changes'),
    sa.CheckConstraint("kind IN ('add', 'remove', 'modify')", name=op.f('ck_decisions_changes_kind')),
    sa.ForeignKeyConstraint(['list_id'], ['decisions_lists.id'], name=op.f('fk_decisions_changes_list_id_decisions_lists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['decisions_items.id'], name=op.f('fk_decisions_changes_item_id_decisions_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions_changes'))
    )
    with op.batch_alter_table('decisions_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_changes_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_changes_list_id'), ['list_id'], unique=False)

    enable_rls_in_migration(op, TABLES)


def downgrade():
    disable_rls_in_migration(op, TABLES)
    for table in reversed(TABLES):
        op.drop_table(table)
