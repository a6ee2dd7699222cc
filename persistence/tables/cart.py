"""Carts, their lines (each line holds stock), and the transactional outbox."""
from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from persistence.tables.base import metadata
from persistence.types import UTCDateTime

carts = Table(
    "carts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("buyer_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("status", String(10), nullable=False),
    Column("currency", String(3), nullable=False, server_default="USD"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    CheckConstraint(
        "status IN ('ACTIVE','CHECKOUT','COMPLETED','EXPIRED','ABANDONED')", name="status"
    ),
)
# One live cart per buyer, enforced by the database.
Index(
    "uq_carts_live_buyer",
    carts.c.buyer_id,
    unique=True,
    sqlite_where=text("status IN ('ACTIVE','CHECKOUT')"),
    postgresql_where=text("status IN ('ACTIVE','CHECKOUT')"),
)
Index("ix_carts_status_expires", carts.c.status, carts.c.expires_at)

cart_lines = Table(
    "cart_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cart_id", Integer, ForeignKey("carts.id"), nullable=False),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    # The price the buyer saw when the line was added; checkout reports PRICE_CHANGED against it.
    Column("unit_price_minor", Integer, nullable=False),
    Column("reserved_until", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("cart_id", "variant_id", name="uq_cart_lines_cart_variant"),
    CheckConstraint("quantity BETWEEN 1 AND 100", name="quantity"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_type", String(60), nullable=False),
    Column("aggregate_type", String(60), nullable=False),
    Column("aggregate_id", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("dispatched_at", UTCDateTime, nullable=True),
    # When the event relay's broker acknowledged the event (NATS JetStream; ops/relay.py).
    Column("published_at", UTCDateTime, nullable=True),
)
Index("ix_outbox_undispatched", outbox.c.dispatched_at, outbox.c.id)
Index("ix_outbox_unpublished", outbox.c.published_at, outbox.c.id)
Index("ix_outbox_aggregate", outbox.c.aggregate_type, outbox.c.aggregate_id)
