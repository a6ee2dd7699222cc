"""offline payment intents

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 16:42:11.027383
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offline_payment_intents',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_payment_intents'))
    )


def downgrade() -> None:
    op.drop_table('offline_payment_intents')
