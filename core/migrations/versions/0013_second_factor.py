"""the second factor hardened: secrets encrypted at rest (with a key outside the database), a
one-time enrolment code issued by the security admin, ten one-time recovery codes

Revision ID: 0013_core
Revises: 0012_core
Create Date: 2026-12-07 19:00:00
"""
from alembic import op
import sqlalchemy as sa
import core.db


revision = '0013_core'
down_revision = '0012_core'
branch_labels = None
depends_on = None


def _rewrite_secrets(convert) -> None:
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('totp_secret', sa.String))
    connection = op.get_bind()
    for user_id, secret in connection.execute(sa.select(users.c.id, users.c.totp_secret)
                                              .where(users.c.totp_secret.is_not(None))).all():
        connection.execute(users.update().where(users.c.id == user_id).values(totp_secret=convert(secret)))


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.alter_column('totp_secret', type_=sa.String(length=255), existing_type=sa.String(length=64))
        batch.add_column(sa.Column('enrol_code_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('enrol_code_expires_at', core.db.UTCDateTime(), nullable=True))
    # Installation-wide like users (no tenant_id, so no row-level security policy).
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', core.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)
    # Secrets set up before: encrypted now, with the installation's key.
    from core.accounts.crypto import EncryptedString
    encrypted = EncryptedString()
    _rewrite_secrets(lambda s: s if s.startswith("v1:") else encrypted.process_bind_param(s, None))


def downgrade():
    from core.accounts.crypto import EncryptedString
    encrypted = EncryptedString()
    _rewrite_secrets(lambda s: encrypted.process_result_value(s, None))
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('enrol_code_expires_at')
        batch.drop_column('enrol_code_hash')
        batch.alter_column('totp_secret', type_=sa.String(length=64), existing_type=sa.String(length=255))
