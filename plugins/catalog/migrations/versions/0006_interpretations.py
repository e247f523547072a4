"""政策解读: records that interpret documents, and the documents they interpret

Revision ID: 0006_catalog
Revises: 0005_catalog
Create Date: 2026-12-14 09:00:00

- catalog_records: interp_form ("" for an ordinary record; 文字解读, 图解, 问答, 音视频, 媒体解读),
  interp_url (音视频 / 媒体解读 elsewhere), interp_by_kind and interp_by_name (起草部门 / 负责人 / 专家),
  needs_interpretation (a policy document to be published with its 解读). Existing records are
  ordinary records that need none unless they are 规范性文件 (doc_type), as the rule reads them.
- catalog_interpretation_links: the documents a 解读 interprets, tenant-owned (the 解读's tenant),
  under row-level security like the other catalog tables.
"""
from alembic import op
import sqlalchemy as sa

from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration


revision = '0006_catalog'
down_revision = '0005_catalog'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interp_form', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('interp_url', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('interp_by_kind', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('interp_by_name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('needs_interpretation', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_check_constraint(batch_op.f('ck_catalog_records_interp_form'),
                                         "interp_form IN ('', 'text', 'graphic', 'qa', 'media', 'press')")
    op.create_table('catalog_interpretation_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interpretation_id', sa.Integer(), nullable=False),
    sa.Column('document_ref', sa.String(length=100), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('document_tenant_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('doc_no', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['interpretation_id'], ['catalog_records.id'], name=op.f('fk_catalog_interpretation_links_interpretation_id_catalog_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['record_id'], ['catalog_records.id'], name=op.f('fk_catalog_interpretation_links_record_id_catalog_records'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalog_interpretation_links_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_interpretation_links')),
    sa.UniqueConstraint('interpretation_id', 'document_ref', name=op.f('uq_catalog_interpretation_links_interpretation_id_document_ref'))
    )
    with op.batch_alter_table('catalog_interpretation_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_interpretation_links_document_ref'), ['document_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_interpretation_links_interpretation_id'), ['interpretation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_interpretation_links_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_interpretation_links_tenant_id'), ['tenant_id'], unique=False)
    enable_rls_in_migration(op, ['catalog_interpretation_links'])


def downgrade():
    disable_rls_in_migration(op, ['catalog_interpretation_links'])
    with op.batch_alter_table('catalog_interpretation_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_interpretation_links_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_interpretation_links_record_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_interpretation_links_interpretation_id'))
        batch_op.drop_index(batch_op.f('ix_catalog_interpretation_links_document_ref'))
    op.drop_table('catalog_interpretation_links')
    with op.batch_alter_table('catalog_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_catalog_records_interp_form'), type_='check')
        batch_op.drop_column('needs_interpretation')
        batch_op.drop_column('interp_by_name')
        batch_op.drop_column('interp_by_kind')
        batch_op.drop_column('interp_url')
        batch_op.drop_column('interp_form')
