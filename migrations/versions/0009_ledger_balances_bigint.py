"""ledger balances as 64-bit integers: a seller's or the platform's balance sums many orders
and may pass the 32-bit range that every single amount stays within (docs/rules.md, "Amount
ceiling")

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 11:35:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.alter_column('balance_minor', existing_type=sa.Integer(),
                              type_=sa.BigInteger(), existing_nullable=False,
                              existing_server_default=sa.text('0'))


def downgrade() -> None:
    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.alter_column('balance_minor', existing_type=sa.BigInteger(),
                              type_=sa.Integer(), existing_nullable=False,
                              existing_server_default=sa.text('0'))
