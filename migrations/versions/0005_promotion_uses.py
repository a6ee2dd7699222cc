"""promotion uses reserved per order and counted per customer; loyalty balances may go
negative

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:45:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('promotion_customer_uses',
    sa.Column('promotion_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('uses >= 0', name=op.f('ck_promotion_customer_uses_uses')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_promotion_customer_uses_buyer_id_users')),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_promotion_customer_uses_promotion_id_promotions')),
    sa.PrimaryKeyConstraint('promotion_id', 'buyer_id', name=op.f('pk_promotion_customer_uses'))
    )
    # The uses already recorded (paid orders) become the buyers' counts. Duplicate rows the
    # old code wrote for one order are merged first, so each order holds at most one use.
    op.execute("DELETE FROM promotion_usages WHERE order_id IS NOT NULL AND id NOT IN "
               "(SELECT MIN(id) FROM promotion_usages WHERE order_id IS NOT NULL "
               "GROUP BY order_id)")
    op.execute("INSERT INTO promotion_customer_uses (promotion_id, buyer_id, uses) "
               "SELECT promotion_id, buyer_id, COUNT(*) FROM promotion_usages "
               "GROUP BY promotion_id, buyer_id")
    with op.batch_alter_table('promotion_usages', schema=None) as batch_op:
        batch_op.create_index('uq_promotion_usages_order_id', ['order_id'], unique=True)
    with op.batch_alter_table('loyalty_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_loyalty_accounts_points'), type_='check')


def downgrade() -> None:
    op.execute("UPDATE loyalty_accounts SET points = 0 WHERE points < 0")
    with op.batch_alter_table('loyalty_accounts', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_loyalty_accounts_points'), 'points >= 0')
    with op.batch_alter_table('promotion_usages', schema=None) as batch_op:
        batch_op.drop_index('uq_promotion_usages_order_id')
    op.drop_table('promotion_customer_uses')
