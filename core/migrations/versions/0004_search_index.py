"""search index: entries, and their tsvector (PostgreSQL) or FTS5 table (SQLite)

Revision ID: 0004_core
Revises: 0003_core
Create Date: 2026-11-23 04:28:59.547957
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0004_core'
down_revision = '0003_core'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('published_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_search_entries_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('plugin', 'kind', 'ref_id', name=op.f('uq_search_entries_plugin_kind_ref_id'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index('ix_search_entries_listing', ['tenant_id', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_tenant_id'), ['tenant_id'], unique=False)
    # The index itself is not mapped by the ORM (see core/search.py).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_entries ADD COLUMN vector tsvector")
        op.execute("CREATE INDEX ix_search_entries_vector ON search_entries USING gin (vector)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, code, extra, body, "
                   "tokenize = 'unicode61 remove_diacritics 0')")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts")
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entries_tenant_id'))
        batch_op.drop_index('ix_search_entries_listing')

    op.drop_table('search_entries')
