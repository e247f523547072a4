"""search index: the tenant and its ancestors as scope words, so a subtree's search narrows inside the index

SQLite: the FTS5 table gets a `scope` column (it is rebuilt, empty). PostgreSQL: the vectors get
scope lexemes. Either way `cms db upgrade` re-indexes every public document after this revision
(core.migrations_cli).

Revision ID: 0007_core
Revises: 0006_core
Create Date: 2026-11-23 06:40:00
"""
from alembic import op


revision = '0007_core'
down_revision = '0006_core'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts")
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, code, extra, body, scope, "
                   "tokenize = 'unicode61 remove_diacritics 0')")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts")
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, code, extra, body, "
                   "tokenize = 'unicode61 remove_diacritics 0')")
