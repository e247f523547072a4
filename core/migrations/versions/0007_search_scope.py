"""search index rebuilt: scope words (the tenant and its ancestors) so a subtree's search narrows
inside the index, and the entries' long summary stored last

The entries table is created again with the columns a search filters and sorts on first: on
SQLite, columns after a long text are read through its overflow pages, which made sorting
thousands of matches slow. The FTS5 table (SQLite) gets a `scope` column; PostgreSQL vectors get
scope lexemes. The index is empty after this revision: `cms db upgrade` re-indexes every public
document (core.migrations_cli).

Revision ID: 0007_core
Revises: 0006_core
Create Date: 2026-11-23 06:40:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0007_core'
down_revision = '0006_core'
branch_labels = None
depends_on = None


def _create_entries():
    op.create_table('search_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('published_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('badge', sa.String(length=20), nullable=False, server_default=''),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('code', sa.String(length=200), nullable=False, server_default=''),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_search_entries_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entries')),
    sa.UniqueConstraint('plugin', 'kind', 'ref_id', name=op.f('uq_search_entries_plugin_kind_ref_id'))
    )
    with op.batch_alter_table('search_entries', schema=None) as batch_op:
        batch_op.create_index('ix_search_entries_listing', ['tenant_id', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entries_tenant_id'), ['tenant_id'], unique=False)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        op.execute("DROP TABLE search_fts")
    op.drop_table('search_entries')
    _create_entries()
    if postgresql:
        op.execute("ALTER TABLE search_entries ADD COLUMN vector tsvector")
        op.execute("CREATE INDEX ix_search_entries_vector ON search_entries USING gin (vector)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, code, extra, body, scope, "
                   "tokenize = 'unicode61 remove_diacritics 0')")


def downgrade():
    # The 0006 schema had the same columns in another order; only the FTS5 table loses `scope`.
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts")
        op.execute("DELETE FROM search_entries")
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, code, extra, body, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
