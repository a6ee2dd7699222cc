"""Every table of the database, on one MetaData (the models Alembic compares against)."""
from persistence.tables.audit import admin_audit_log
from persistence.tables.base import metadata
from persistence.tables.cart import cart_lines, carts, outbox
from persistence.tables.catalog import categories, product_images, products, stock, variants
from persistence.tables.checkout import (
    checkout_sessions,
    loyalty_accounts,
    loyalty_transactions,
    promotion_customer_uses,
    promotion_usages,
    promotions,
)
from persistence.tables.events import analytics_events, notifications, offline_payment_intents
from persistence.tables.orders import (
    counters,
    ledger_entries,
    ledger_transactions,
    order_lines,
    order_status_history,
    orders,
    payment_events,
    payment_faults,
    payments,
    shipments,
)
from persistence.tables.identity import (
    addresses,
    ledger_accounts,
    payment_methods,
    refresh_tokens,
    sellers,
    users,
)

__all__ = [
    "metadata", "users", "sellers", "refresh_tokens", "addresses", "payment_methods",
    "ledger_accounts", "categories", "products", "product_images", "variants", "stock",
    "carts", "cart_lines", "outbox", "checkout_sessions", "promotions", "promotion_usages",
    "promotion_customer_uses",
    "loyalty_accounts", "loyalty_transactions", "counters", "orders", "order_lines",
    "order_status_history", "shipments", "payments", "payment_events", "payment_faults",
    "ledger_transactions",
    "ledger_entries", "notifications", "analytics_events", "offline_payment_intents",
    "admin_audit_log",
]
