"""disclosure tables: the 政府信息公开指南's versions and the 政府信息公开工作年度报告

Revision ID: 0001_disclosure
Revises:
Create Date: 2026-12-07 23:50:00
"""
from alembic import op
import sqlalchemy as sa
from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration, UTCDateTime


revision = '0001_disclosure'
down_revision = None
branch_labels = ('disclosure',)
depends_on = '0009_core'

# Tenant-owned tables, under row-level security on PostgreSQL (core.security.rls).
TABLES = ['disclosure_guide_versions', 'disclosure_annual_reports']


def upgrade():
    op.create_table('disclosure_guide_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('office_name', sa.String(length=200), nullable=False),
    sa.Column('fax', sa.String(length=40), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('saved_at', UTCDateTime(), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('saved_by_name', sa.String(length=100), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_disclosure_guide_versions_saved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_disclosure_guide_versions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_guide_versions')),
    sa.UniqueConstraint('tenant_id', 'version', name='tenant_version')
    )
    with op.batch_alter_table('disclosure_guide_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_guide_versions_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('disclosure_annual_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('correction_note', sa.Text(), nullable=False),
    sa.Column('overview', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('other_matters', sa.Text(), nullable=False),
    sa.Column('proactive', sa.JSON(), nullable=False),
    sa.Column('proactive_source', sa.String(length=16), nullable=False),
    sa.Column('fees_yuan', sa.Integer(), nullable=False),
    sa.Column('applications', sa.JSON(), nullable=False),
    sa.Column('appeals', sa.JSON(), nullable=False),
    sa.Column('appeals_extra', sa.JSON(), nullable=False),
    sa.Column('info_fees_yuan', sa.Integer(), nullable=False),
    sa.Column('computed_at', UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_edited_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_name', sa.String(length=100), nullable=False),
    sa.Column('reviewed_at', UTCDateTime(), nullable=True),
    sa.Column('published_at', UTCDateTime(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'reviewed', 'published', 'superseded')", name=op.f('ck_disclosure_annual_reports_status')),
    sa.CheckConstraint('fees_yuan >= 0', name=op.f('ck_disclosure_annual_reports_fees_yuan')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_disclosure_annual_reports_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['last_edited_by_id'], ['users.id'], name=op.f('fk_disclosure_annual_reports_last_edited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_disclosure_annual_reports_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['disclosure_annual_reports.id'], name=op.f('fk_disclosure_annual_reports_supersedes_id_disclosure_annual_reports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_disclosure_annual_reports_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_annual_reports')),
    sa.UniqueConstraint('tenant_id', 'year', 'version', name='tenant_year_version')
    )
    with op.batch_alter_table('disclosure_annual_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosure_annual_reports_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosure_annual_reports_year'), ['year'], unique=False)

    enable_rls_in_migration(op, TABLES)


def downgrade():
    disable_rls_in_migration(op, TABLES)
    with op.batch_alter_table('disclosure_annual_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_annual_reports_year'))
        batch_op.drop_index(batch_op.f('ix_disclosure_annual_reports_tenant_id'))

    op.drop_table('disclosure_annual_reports')
    with op.batch_alter_table('disclosure_guide_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosure_guide_versions_tenant_id'))

    op.drop_table('disclosure_guide_versions')
