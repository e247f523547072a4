"""server-side sessions on the application's own database (when Redis is not configured): the
cookie holds only a random id, so logging out, a password change or a deactivation ends the session

Revision ID: 0012_core
Revises: 0011_core
Create Date: 2026-12-07 18:30:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0012_core'
down_revision = '0011_core'
branch_labels = None
depends_on = None


def upgrade():
    # Installation-wide (no tenant_id, so no row-level security policy); the id is a hash of the
    # cookie's value, never the value itself.
    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('expiry', core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('session_id', name=op.f('uq_sessions_session_id'))
    )
    op.create_index(op.f('ix_sessions_expiry'), 'sessions', ['expiry'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sessions_expiry'), table_name='sessions')
    op.drop_table('sessions')
