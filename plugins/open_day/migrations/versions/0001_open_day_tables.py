"""open day tables

Revision ID: 0001_open_day
Revises: 
Create Date: 2026-11-23 03:56:08.899221
"""
from alembic import op
import sqlalchemy as sa
from core.plugin_api import UTCDateTime


revision = '0001_open_day'
down_revision = None
branch_labels = ('open_day',)
depends_on = '0003_core'


def upgrade():
    op.create_table('open_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_at', UTCDateTime(), nullable=False),
    sa.Column('ends_at', UTCDateTime(), nullable=False),
    sa.Column('registration_opens_at', UTCDateTime(), nullable=False),
    sa.Column('registration_closes_at', UTCDateTime(), nullable=False),
    sa.Column('cancel_deadline', UTCDateTime(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('max_group_size', sa.Integer(), nullable=False),
    sa.Column('require_id_number', sa.Boolean(), nullable=False),
    sa.Column('waitlist_enabled', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('published_at', UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('review_html', sa.Text(), nullable=False),
    sa.Column('review_published_at', UTCDateTime(), nullable=True),
    sa.Column('personal_data_purged_at', UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint('max_group_size >= 1', name=op.f('ck_open_days_group_size')),
    sa.CheckConstraint('taken >= 0 AND taken <= places', name=op.f('ck_open_days_places')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_open_days_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_open_days_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_days'))
    )
    with op.batch_alter_table('open_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_days_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('open_day_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('open_day_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('id_number_masked', sa.String(length=20), nullable=False),
    sa.Column('group_size', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('confirmed_at', UTCDateTime(), nullable=True),
    sa.Column('promoted_at', UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.Column('cancelled_by', sa.String(length=16), nullable=False),
    sa.Column('checked_in_at', UTCDateTime(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('rated_at', UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name=op.f('ck_open_day_registrations_status')),
    sa.CheckConstraint('group_size >= 1', name=op.f('ck_open_day_registrations_group_size')),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_open_day_registrations_rating')),
    sa.ForeignKeyConstraint(['open_day_id'], ['open_days.id'], name=op.f('fk_open_day_registrations_open_day_id_open_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_open_day_registrations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_day_registrations')),
    sa.UniqueConstraint('code', name=op.f('uq_open_day_registrations_code'))
    )
    with op.batch_alter_table('open_day_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_open_day_registrations_queue', ['open_day_id', 'status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_registrations_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('uq_open_day_registrations_active_phone', ['open_day_id', 'phone'], unique=True, sqlite_where=sa.text("status IN ('confirmed', 'waitlisted') AND phone <> ''"), postgresql_where=sa.text("status IN ('confirmed', 'waitlisted') AND phone <> ''"))

    op.create_table('open_day_review_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('open_day_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_open_day_review_photos_attachment_id_attachments')),
    sa.ForeignKeyConstraint(['open_day_id'], ['open_days.id'], name=op.f('fk_open_day_review_photos_open_day_id_open_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_open_day_review_photos_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_day_review_photos'))
    )
    with op.batch_alter_table('open_day_review_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_day_review_photos_open_day_id'), ['open_day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_day_review_photos_tenant_id'), ['tenant_id'], unique=False)



def downgrade():
    with op.batch_alter_table('open_day_review_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_day_review_photos_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_open_day_review_photos_open_day_id'))

    op.drop_table('open_day_review_photos')
    with op.batch_alter_table('open_day_registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_open_day_registrations_active_phone', sqlite_where=sa.text("status IN ('confirmed', 'waitlisted') AND phone <> ''"), postgresql_where=sa.text("status IN ('confirmed', 'waitlisted') AND phone <> ''"))
        batch_op.drop_index(batch_op.f('ix_open_day_registrations_tenant_id'))
        batch_op.drop_index('ix_open_day_registrations_queue')

    op.drop_table('open_day_registrations')
    with op.batch_alter_table('open_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_days_tenant_id'))

    op.drop_table('open_days')
