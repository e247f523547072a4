"""opinions tables

Revision ID: 0001_opinions
Revises: 
Create Date: 2026-11-23 03:30:37.337339
"""
from alembic import op
import sqlalchemy as sa
from core.plugin_api import UTCDateTime


revision = '0001_opinions'
down_revision = None
branch_labels = ('opinions',)
depends_on = '0002_core'


def upgrade():
    op.create_table('opinion_consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('draft_html', sa.Text(), nullable=False),
    sa.Column('explanation_html', sa.Text(), nullable=False),
    sa.Column('responsible_unit', sa.String(length=200), nullable=False),
    sa.Column('offline_channels', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('short_period_reason', sa.Text(), nullable=False),
    sa.Column('extensions', sa.JSON(), nullable=False),
    sa.Column('moderation', sa.String(length=16), nullable=False),
    sa.Column('contact_required', sa.Boolean(), nullable=False),
    sa.Column('announced_at', UTCDateTime(), nullable=True),
    sa.Column('feedback_intro', sa.Text(), nullable=False),
    sa.Column('feedback_published_at', UTCDateTime(), nullable=True),
    sa.Column('personal_data_purged_at', UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("moderation IN ('immediate', 'review')", name=op.f('ck_opinion_consultations_moderation')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opinion_consultations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_opinion_consultations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_consultations'))
    )
    with op.batch_alter_table('opinion_consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_consultations_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('opinion_answer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('disposition', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['opinion_consultations.id'], name=op.f('fk_opinion_answer_groups_consultation_id_opinion_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_opinion_answer_groups_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_answer_groups'))
    )
    with op.batch_alter_table('opinion_answer_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_answer_groups_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_answer_groups_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('opinion_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['opinion_consultations.id'], name=op.f('fk_opinion_articles_consultation_id_opinion_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_opinion_articles_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_articles')),
    sa.UniqueConstraint('consultation_id', 'number', name=op.f('uq_opinion_articles_consultation_id_number'))
    )
    with op.batch_alter_table('opinion_articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_articles_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_articles_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('opinion_consultation_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_opinion_consultation_attachments_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['consultation_id'], ['opinion_consultations.id'], name=op.f('fk_opinion_consultation_attachments_consultation_id_opinion_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_opinion_consultation_attachments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_consultation_attachments'))
    )
    with op.batch_alter_table('opinion_consultation_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinion_consultation_attachments_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_consultation_attachments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('opinion_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('author_name', sa.String(length=50), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('tracking_code', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('moderation_note', sa.Text(), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('disposition', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('answered_at', UTCDateTime(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'published', 'hidden', 'duplicate')", name=op.f('ck_opinion_comments_status')),
    sa.ForeignKeyConstraint(['article_id'], ['opinion_articles.id'], name=op.f('fk_opinion_comments_article_id_opinion_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['opinion_consultations.id'], name=op.f('fk_opinion_comments_consultation_id_opinion_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['opinion_comments.id'], name=op.f('fk_opinion_comments_duplicate_of_id_opinion_comments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_opinion_comments_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['opinion_answer_groups.id'], name=op.f('fk_opinion_comments_group_id_opinion_answer_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_opinion_comments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion_comments')),
    sa.UniqueConstraint('tracking_code', name=op.f('uq_opinion_comments_tracking_code'))
    )
    with op.batch_alter_table('opinion_comments', schema=None) as batch_op:
        batch_op.create_index('ix_opinion_comments_consultation_status', ['consultation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_comments_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opinion_comments_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opinion_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_comments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_comments_group_id'))
        batch_op.drop_index('ix_opinion_comments_consultation_status')

    op.drop_table('opinion_comments')
    with op.batch_alter_table('opinion_consultation_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_consultation_attachments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_consultation_attachments_consultation_id'))

    op.drop_table('opinion_consultation_attachments')
    with op.batch_alter_table('opinion_articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_articles_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_articles_consultation_id'))

    op.drop_table('opinion_articles')
    with op.batch_alter_table('opinion_answer_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_answer_groups_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_opinion_answer_groups_consultation_id'))

    op.drop_table('opinion_answer_groups')
    with op.batch_alter_table('opinion_consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinion_consultations_tenant_id'))

    op.drop_table('opinion_consultations')
