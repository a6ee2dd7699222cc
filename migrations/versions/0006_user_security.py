"""user security: token version, disabled accounts, admin audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:30:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('token_version', sa.Integer(), server_default=sa.text('0'),
                                     nullable=False))
    op.add_column('users', sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('disabled_reason', sa.String(length=500), nullable=True))
    op.create_table('admin_audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_user_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_audit_log'))
    )
    op.create_index(op.f('ix_admin_audit_log_target_user_id'), 'admin_audit_log',
                    ['target_user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_admin_audit_log_target_user_id'), table_name='admin_audit_log')
    op.drop_table('admin_audit_log')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('disabled_reason')
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('token_version')
