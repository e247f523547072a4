"""gazette tables

Revision ID: 0001_gazette
Revises: 
Create Date: 2026-11-23 04:38:34.282885
"""
from alembic import op
import sqlalchemy as sa
from core.plugin_api import UTCDateTime


revision = '0001_gazette'
down_revision = None
branch_labels = ('gazette',)
depends_on = '0004_core'


def upgrade():
    op.create_table('gazette_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('total_number', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('editor_note', sa.Text(), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_at', UTCDateTime(), nullable=True),
    sa.Column('gazette_name', sa.String(length=100), nullable=False),
    sa.Column('editing_unit', sa.String(length=100), nullable=False),
    sa.Column('pdf_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('pdf_file', sa.String(length=200), nullable=False),
    sa.Column('pdf_pages', sa.Integer(), nullable=True),
    sa.Column('pdf_size', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_gazette_issues_status')),
    sa.CheckConstraint('number >= 1 AND total_number >= 1', name=op.f('ck_gazette_issues_numbers')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gazette_issues_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_gazette_issues_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_gazette_issues_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gazette_issues')),
    sa.UniqueConstraint('tenant_id', 'total_number', name=op.f('uq_gazette_issues_tenant_id_total_number')),
    sa.UniqueConstraint('tenant_id', 'year', 'number', name=op.f('uq_gazette_issues_tenant_id_year_number'))
    )
    with op.batch_alter_table('gazette_issues', schema=None) as batch_op:
        batch_op.create_index('ix_gazette_issues_listing', ['tenant_id', 'status', 'published_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_gazette_issues_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('gazettes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('editing_unit', sa.String(length=100), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("frequency IN ('monthly', 'bimonthly', 'quarterly', 'irregular')", name=op.f('ck_gazettes_frequency')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_gazettes_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gazettes')),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_gazettes_tenant_id'))
    )
    with op.batch_alter_table('gazettes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gazettes_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('gazette_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=50), nullable=False),
    sa.Column('section_position', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('doc_no', sa.String(length=100), nullable=False),
    sa.Column('issuers', sa.JSON(), nullable=False),
    sa.Column('written_date', sa.Date(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('source_ref', sa.String(length=100), nullable=False),
    sa.Column('validity', sa.String(length=16), nullable=False),
    sa.Column('validity_date', sa.Date(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('validity_note', sa.String(length=300), nullable=False),
    sa.Column('page_start', sa.Integer(), nullable=True),
    sa.Column('page_end', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("validity IN ('valid', 'expired', 'repealed')", name=op.f('ck_gazette_articles_validity')),
    sa.ForeignKeyConstraint(['corrects_id'], ['gazette_articles.id'], name=op.f('fk_gazette_articles_corrects_id_gazette_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issue_id'], ['gazette_issues.id'], name=op.f('fk_gazette_articles_issue_id_gazette_issues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['gazette_articles.id'], name=op.f('fk_gazette_articles_superseded_by_id_gazette_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_gazette_articles_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gazette_articles'))
    )
    with op.batch_alter_table('gazette_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gazette_articles_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gazette_articles_issue_id'), ['issue_id'], unique=False)
        batch_op.create_index('ix_gazette_articles_section', ['tenant_id', 'section'], unique=False)
        batch_op.create_index(batch_op.f('ix_gazette_articles_source_ref'), ['source_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_gazette_articles_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_gazette_articles_toc', ['issue_id', 'section_position', 'position'], unique=False)

    op.create_table('gazette_article_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['gazette_articles.id'], name=op.f('fk_gazette_article_attachments_article_id_gazette_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_gazette_article_attachments_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_gazette_article_attachments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gazette_article_attachments')),
    sa.UniqueConstraint('article_id', 'attachment_id', name=op.f('uq_gazette_article_attachments_article_id_attachment_id'))
    )
    with op.batch_alter_table('gazette_article_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gazette_article_attachments_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gazette_article_attachments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('gazette_article_issuers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['gazette_articles.id'], name=op.f('fk_gazette_article_issuers_article_id_gazette_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_gazette_article_issuers_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gazette_article_issuers')),
    sa.UniqueConstraint('article_id', 'name', name=op.f('uq_gazette_article_issuers_article_id_name'))
    )
    with op.batch_alter_table('gazette_article_issuers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gazette_article_issuers_article_id'), ['article_id'], unique=False)
        batch_op.create_index('ix_gazette_article_issuers_name', ['tenant_id', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_gazette_article_issuers_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('gazette_article_issuers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gazette_article_issuers_tenant_id'))
        batch_op.drop_index('ix_gazette_article_issuers_name')
        batch_op.drop_index(batch_op.f('ix_gazette_article_issuers_article_id'))

    op.drop_table('gazette_article_issuers')
    with op.batch_alter_table('gazette_article_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gazette_article_attachments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_gazette_article_attachments_article_id'))

    op.drop_table('gazette_article_attachments')
    with op.batch_alter_table('gazette_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_gazette_articles_toc')
        batch_op.drop_index(batch_op.f('ix_gazette_articles_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_gazette_articles_source_ref'))
        batch_op.drop_index('ix_gazette_articles_section')
        batch_op.drop_index(batch_op.f('ix_gazette_articles_issue_id'))
        batch_op.drop_index(batch_op.f('ix_gazette_articles_corrects_id'))

    op.drop_table('gazette_articles')
    with op.batch_alter_table('gazettes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gazettes_tenant_id'))

    op.drop_table('gazettes')
    with op.batch_alter_table('gazette_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gazette_issues_tenant_id'))
        batch_op.drop_index('ix_gazette_issues_listing')

    op.drop_table('gazette_issues')
