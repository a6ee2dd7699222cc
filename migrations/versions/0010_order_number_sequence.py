"""order numbers from a PostgreSQL sequence: taking a number no longer locks a counter row
until the placing transaction commits (docs/architecture.md, "checkoutComplete under load");
SQLite keeps the per-year counter row (its writers are serialised anyway)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 16:10:00.000000
"""
from __future__ import annotations

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Owned by orders.number: dropped with the table, restarted by TRUNCATE ... RESTART IDENTITY.
    op.execute("CREATE SEQUENCE order_numbers OWNED BY orders.number")
    # Past every number a counter row gave, so no number of this year is given twice.
    op.execute("SELECT setval('order_numbers', coalesce((SELECT max(value) FROM counters "
               "WHERE name LIKE 'order_number:%'), 0) + 1, false)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The counter of the current year continues past the numbers the sequence gave.
    op.execute("UPDATE counters SET value = greatest(value, (SELECT last_value FROM "
               "order_numbers)) WHERE name = 'order_number:' || "
               "extract(year FROM now() AT TIME ZONE 'UTC')::int")
    op.execute("DROP SEQUENCE order_numbers")
