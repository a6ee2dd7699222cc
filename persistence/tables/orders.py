"""Orders, their lines, status history and shipments; payments and provider events; the
ledger's transactions and entries; named counters (order numbers)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

ORDER_STATUSES = ("'PENDING_PAYMENT','CONFIRMED','PROCESSING','PARTIALLY_SHIPPED','SHIPPED',"
                  "'DELIVERED','CANCELLED','REFUNDED'")

counters = Table(
    "counters",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("value", Integer, nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("buyer_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("checkout_id", Integer, ForeignKey("checkout_sessions.id"), nullable=False,
           unique=True),
    Column("cart_id", Integer, ForeignKey("carts.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("subtotal_minor", Integer, nullable=False),
    Column("discount_total_minor", Integer, nullable=False),
    Column("shipping_minor", Integer, nullable=False),
    Column("tax_minor", Integer, nullable=False),
    Column("total_minor", Integer, nullable=False),
    # The priced breakdown as JSON: discounts, per-seller revenue/shipping/tax (for the ledger).
    Column("pricing_detail", Text, nullable=False),
    Column("promotion_code", String(60), nullable=True),
    Column("loyalty_points_used", Integer, nullable=False, server_default=text("0")),
    Column("loyalty_points_earned", Integer, nullable=False, server_default=text("0")),
    Column("shipping_address", Text, nullable=False),
    Column("billing_address", Text, nullable=True),
    Column("shipping_method", String(20), nullable=False),
    Column("notes", Text, nullable=True),
    Column("idempotency_key", String(200), nullable=False),
    Column("payment_due_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=True),
    UniqueConstraint("buyer_id", "idempotency_key", name="uq_orders_buyer_idempotency_key"),
    CheckConstraint(f"status IN ({ORDER_STATUSES})", name="status"),
    CheckConstraint("subtotal_minor >= 0 AND discount_total_minor >= 0 AND shipping_minor >= 0 "
                    "AND tax_minor >= 0 AND total_minor >= 0", name="amounts"),
)
Index("ix_orders_buyer_created", orders.c.buyer_id, orders.c.created_at, orders.c.id)
Index("ix_orders_status_due", orders.c.status, orders.c.payment_due_at)
Index("ix_orders_created", orders.c.created_at, orders.c.id)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, index=True),
    Column("variant_id", Integer, ForeignKey("variants.id"), nullable=True, index=True),
    Column("seller_id", Integer, ForeignKey("sellers.id"), nullable=False, index=True),
    Column("sku", String(100), nullable=False),
    Column("product_name", String(300), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price_minor", Integer, nullable=False),
    Column("discount_minor", Integer, nullable=False),  # tier + promotion share
    Column("points_minor", Integer, nullable=False),  # loyalty points share
    Column("tax_minor", Integer, nullable=False),
    CheckConstraint("quantity > 0", name="quantity"),
    CheckConstraint("unit_price_minor >= 0 AND discount_minor >= 0 AND points_minor >= 0 "
                    "AND tax_minor >= 0", name="amounts"),
)

order_status_history = Table(
    "order_status_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, index=True),
    Column("seller_id", Integer, ForeignKey("sellers.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("shipping_minor", Integer, nullable=False),
    Column("carrier", String(60), nullable=True),
    Column("tracking_number", String(100), nullable=True, unique=True),
    Column("estimated_delivery", UTCDateTime, nullable=True),
    Column("shipped_at", UTCDateTime, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('PENDING','PROCESSING','SHIPPED','IN_TRANSIT','DELIVERED',"
                    "'CANCELLED')", name="status"),
)
Index("ix_shipments_seller_created", shipments.c.seller_id, shipments.c.created_at,
      shipments.c.id)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, index=True),
    Column("provider", String(20), nullable=False),
    Column("provider_reference", String(100), nullable=True, unique=True),
    Column("idempotency_key", String(250), nullable=False, unique=True),
    Column("payment_method", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("amount_minor", Integer, nullable=False),
    Column("refunded_minor", Integer, nullable=False, server_default=text("0")),
    Column("currency", String(3), nullable=False),
    Column("client_secret", String(300), nullable=True),
    Column("next_action_type", String(30), nullable=True),
    Column("next_action_url", String(1000), nullable=True),
    Column("failure_message", String(500), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('INITIATED','REQUIRES_ACTION','PROCESSING','SUCCEEDED','FAILED',"
                    "'CANCELED','REFUNDED','PARTIALLY_REFUNDED')", name="status"),
    CheckConstraint("amount_minor >= 0 AND refunded_minor >= 0 "
                    "AND refunded_minor <= amount_minor", name="refunded"),
)

payment_events = Table(
    "payment_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(100), nullable=False, unique=True),
    Column("event_type", String(60), nullable=False),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Provider events not applied because their amount or currency is not the payment's
# (domain.payments.faults), one row per event id, for admins (adminPaymentFaults).
payment_faults = Table(
    "payment_faults",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("message", Text, nullable=False),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=True),
    Column("event_id", String(100), nullable=False, unique=True),
    Column("event_type", String(60), nullable=False),
    Column("expected_amount", Integer, nullable=True),
    Column("expected_currency", String(3), nullable=True),
    Column("received_amount", BigInteger, nullable=True),  # whatever the event said
    Column("received_currency", String(10), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

ledger_transactions = Table(
    "ledger_transactions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=True, index=True),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transaction_id", Integer, ForeignKey("ledger_transactions.id"), nullable=False,
           index=True),
    Column("account_id", Integer, ForeignKey("ledger_accounts.id"), nullable=False, index=True),
    Column("debit_minor", Integer, nullable=False),
    Column("credit_minor", Integer, nullable=False),
    CheckConstraint("debit_minor >= 0 AND credit_minor >= 0 "
                    "AND (debit_minor = 0) <> (credit_minor = 0)", name="one_side"),
)
