"""security: account lockout, two-factor login, session epoch and password age on users; the
security and audit admin roles (separation of duties); the audit log as a hash chain, append-only

Revision ID: 0008_core
Revises: 0007_core
Create Date: 2026-11-23 09:10:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0008_core'
down_revision = '0007_core'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('admin', 'editor', 'reviewer')"
ROLES_AFTER = "role IN ('admin', 'security_admin', 'audit_admin', 'editor', 'reviewer')"

# UPDATE is never allowed on the audit log; DELETE only while the retention purge has set the
# chain head's `purging` flag inside its own transaction (cms audit purge).
PG_GUARD = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_chain WHERE purging) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""
SQLITE_GUARD = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (UPDATE)'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       WHEN NOT EXISTS (SELECT 1 FROM audit_chain WHERE purging)
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (DELETE)'); END""",
]


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_role_grants_role'), type_='check')
        batch_op.create_check_constraint('role', ROLES_AFTER)

    op.create_table('audit_chain',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False, server_default='0'),
        sa.Column('last_hash', sa.String(length=64), nullable=False, server_default=''),
        # Where the chain starts after a retention purge: the last purged entry's position and hash.
        sa.Column('anchor_seq', sa.BigInteger(), nullable=False, server_default='0'),
        sa.Column('anchor_hash', sa.String(length=64), nullable=False, server_default=''),
        sa.Column('purging', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain')),
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_audit_log_seq'), ['seq'], unique=True)

    # Entries written before this migration are chained now, in the order they were written.
    from core.audit import chain_existing_entries
    chain_existing_entries(op.get_bind())

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_GUARD)
    else:
        for statement in SQLITE_GUARD:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_seq'))
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
    op.drop_table('audit_chain')
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_role_grants_role'), type_='check')
        batch_op.create_check_constraint('role', ROLES_BEFORE)
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in ('session_epoch', 'totp_last_step', 'totp_secret', 'locked_until', 'failed_logins',
                       'password_changed_at'):
            batch_op.drop_column(column)
