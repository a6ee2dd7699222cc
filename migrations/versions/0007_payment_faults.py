"""payment faults: provider events not applied (amount or currency mismatch)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:40:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_faults',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('expected_amount', sa.Integer(), nullable=True),
    sa.Column('expected_currency', sa.String(length=3), nullable=True),
    sa.Column('received_amount', sa.BigInteger(), nullable=True),
    sa.Column('received_currency', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_faults_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_faults')),
    sa.UniqueConstraint('event_id', name=op.f('uq_payment_faults_event_id'))
    )


def downgrade() -> None:
    op.drop_table('payment_faults')
