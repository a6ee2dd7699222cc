"""Checkout sessions, promotions and their usage, loyalty accounts and point movements."""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)

from persistence.tables.base import metadata
from persistence.types import UTCDateTime

checkout_sessions = Table(
    "checkout_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("cart_id", Integer, ForeignKey("carts.id"), nullable=False, index=True),
    Column("buyer_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("status", String(10), nullable=False),
    Column("currency", String(3), nullable=False),
    # Address snapshots as JSON text: an address removed later does not change the session.
    Column("shipping_address", Text, nullable=True),
    Column("billing_address", Text, nullable=True),
    Column("shipping_method", String(20), nullable=True),
    Column("promotion_code", String(60), nullable=True),
    Column("loyalty_points", Integer, nullable=False, server_default=text("0")),
    Column("notes", Text, nullable=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
    CheckConstraint("status IN ('OPEN','COMPLETED','EXPIRED')", name="status"),
    CheckConstraint("loyalty_points >= 0", name="loyalty_points"),
)
Index(
    "uq_checkout_sessions_open_cart",
    checkout_sessions.c.cart_id,
    unique=True,
    sqlite_where=text("status = 'OPEN'"),
    postgresql_where=text("status = 'OPEN'"),
)
Index("ix_checkout_sessions_status_expires", checkout_sessions.c.status,
      checkout_sessions.c.expires_at)

promotions = Table(
    "promotions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(60), nullable=False, unique=True),
    Column("description", String(500), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", Integer, nullable=False, server_default=text("0")),
    Column("currency", String(3), nullable=False, server_default="USD"),
    Column("min_subtotal_minor", Integer, nullable=True),
    Column("starts_at", UTCDateTime, nullable=True),
    Column("ends_at", UTCDateTime, nullable=True),
    Column("usage_limit", Integer, nullable=True),
    Column("per_customer_limit", Integer, nullable=True),
    Column("times_used", Integer, nullable=False, server_default=text("0")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("seller_id", Integer, ForeignKey("sellers.id"), nullable=True, index=True),
    Column("created_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('PERCENT','FIXED','FREE_SHIPPING')", name="kind"),
    CheckConstraint("value >= 0", name="value"),
    CheckConstraint("times_used >= 0", name="times_used"),
    CheckConstraint("usage_limit IS NULL OR times_used <= usage_limit", name="usage_limit"),
)

promotion_usages = Table(
    "promotion_usages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("promotion_id", Integer, ForeignKey("promotions.id"), nullable=False),
    Column("buyer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("order_id", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_promotion_usages_promo_buyer", promotion_usages.c.promotion_id,
      promotion_usages.c.buyer_id)
# One held use per order: reserving twice for one order is impossible, releasing is a DELETE.
Index("uq_promotion_usages_order_id", promotion_usages.c.order_id, unique=True)

# Uses a buyer holds of a code (reserved by a placed order, given back when it is cancelled):
# the per-customer limit is kept by a conditional upsert on this row (docs/rules.md).
promotion_customer_uses = Table(
    "promotion_customer_uses",
    metadata,
    Column("promotion_id", Integer, ForeignKey("promotions.id"), primary_key=True),
    Column("buyer_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("uses", Integer, nullable=False, server_default=text("0")),
    CheckConstraint("uses >= 0", name="uses"),
)

loyalty_accounts = Table(
    "loyalty_accounts",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    # May go negative: points earned by an order that is cancelled or refunded are taken
    # back in full, and later earnings repay the debt (docs/rules.md, "Money rules").
    Column("points", Integer, nullable=False, server_default=text("0")),
)

loyalty_transactions = Table(
    "loyalty_transactions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("points", Integer, nullable=False),
    Column("order_id", Integer, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("kind IN ('EARN','SPEND','REFUND','ADJUST')", name="kind"),
)
Index("ix_loyalty_transactions_user_created", loyalty_transactions.c.user_id,
      loyalty_transactions.c.created_at)
