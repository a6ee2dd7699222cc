"""event relay: outbox.published_at, the mark of the relay to the message broker

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:40:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows that exist already count as unpublished: a relay switched on later publishes the
    # outbox's history once (docs/rules.md, "Events out and shared state").
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbox_unpublished', ['published_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unpublished')
        batch_op.drop_column('published_at')
