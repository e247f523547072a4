"""catalog tables

Revision ID: 0001_catalog
Revises: 
Create Date: 2026-11-23 02:47:35.891770
"""
from alembic import op
import sqlalchemy as sa
from core.plugin_api import UTCDateTime


revision = '0001_catalog'
down_revision = None
branch_labels = ('catalog',)
depends_on = '0002_core'


def upgrade():
    op.create_table('catalog_index_sequences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalog_index_sequences_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_index_sequences')),
    sa.UniqueConstraint('tenant_id', 'year', name=op.f('uq_catalog_index_sequences_tenant_id_year'))
    )
    with op.batch_alter_table('catalog_index_sequences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_index_sequences_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('catalog_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('domain_code', sa.String(length=8), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('content_elements', sa.JSON(), nullable=False),
    sa.Column('legal_basis', sa.JSON(), nullable=False),
    sa.Column('time_limit', sa.String(length=300), nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('responsible_body', sa.String(length=200), nullable=False),
    sa.Column('methods', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('audience_note', sa.String(length=200), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('not_applicable_reason', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("audience IN ('全社会', '特定群体')", name=op.f('ck_catalog_items_audience')),
    sa.ForeignKeyConstraint(['parent_id'], ['catalog_items.id'], name=op.f('fk_catalog_items_parent_id_catalog_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['catalog_items.id'], name=op.f('fk_catalog_items_source_id_catalog_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalog_items_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_items'))
    )
    with op.batch_alter_table('catalog_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_items_domain_code'), ['domain_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_items_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_items_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_items_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('catalog_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('self_publish', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalog_settings_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_settings')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_catalog_settings_tenant_id'))
    )
    with op.batch_alter_table('catalog_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_settings_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('catalog_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('index_no', sa.String(length=64), nullable=True),
    sa.Column('index_year', sa.Integer(), nullable=True),
    sa.Column('index_seq', sa.Integer(), nullable=True),
    sa.Column('doc_no', sa.String(length=100), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('written_date', sa.Date(), nullable=True),
    sa.Column('published_at', UTCDateTime(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('expiry_date', sa.Date(), nullable=True),
    sa.Column('validity', sa.String(length=16), nullable=False),
    sa.Column('validity_date', sa.Date(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('disclosure', sa.String(length=16), nullable=False),
    sa.Column('disclosure_reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('review_confirmed', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', UTCDateTime(), nullable=True),
    sa.Column('reviewed_at', UTCDateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("disclosure IN ('proactive', 'on_request', 'withheld')", name=op.f('ck_catalog_records_disclosure')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'published')", name=op.f('ck_catalog_records_status')),
    sa.CheckConstraint("validity IN ('valid', 'expired', 'repealed')", name=op.f('ck_catalog_records_validity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_catalog_records_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['catalog_items.id'], name=op.f('fk_catalog_records_item_id_catalog_items')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_catalog_records_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['catalog_records.id'], name=op.f('fk_catalog_records_superseded_by_id_catalog_records'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalog_records_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_records')),
    sa.UniqueConstraint('tenant_id', 'index_no', name=op.f('uq_catalog_records_tenant_id_index_no'))
    )
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_records_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_records_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_records_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_records_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('catalog_record_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_catalog_record_attachments_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['record_id'], ['catalog_records.id'], name=op.f('fk_catalog_record_attachments_record_id_catalog_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalog_record_attachments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_record_attachments')),
    sa.UniqueConstraint('record_id', 'attachment_id', name=op.f('uq_catalog_record_attachments_record_id_attachment_id'))
    )
    with op.batch_alter_table('catalog_record_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_record_attachments_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_record_attachments_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('catalog_record_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_record_attachments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_record_attachments_record_id'))

    op.drop_table('catalog_record_attachments')
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_records_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_records_status'))
        batch_op.drop_index(batch_op.f('ix_catalog_records_published_at'))
        batch_op.drop_index(batch_op.f('ix_catalog_records_item_id'))

    op.drop_table('catalog_records')
    with op.batch_alter_table('catalog_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_settings_tenant_id'))

    op.drop_table('catalog_settings')
    with op.batch_alter_table('catalog_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_items_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_items_source_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_items_parent_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_items_domain_code'))

    op.drop_table('catalog_items')
    with op.batch_alter_table('catalog_index_sequences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_index_sequences_tenant_id'))

    op.drop_table('catalog_index_sequences')
