"""Event names written to the transactional outbox (same transaction as the change)."""
from __future__ import annotations

CART_ITEM_ADDED = "CartItemAdded"
CART_EXPIRED = "CartExpired"
CHECKOUT_STARTED = "CheckoutStarted"
ORDER_CREATED = "OrderCreated"
PAYMENT_SUCCEEDED = "PaymentSucceeded"
PAYMENT_FAILED = "PaymentFailed"
ORDER_STATUS_CHANGED = "OrderStatusChanged"
SHIPMENT_STATUS_CHANGED = "ShipmentStatusChanged"
LOW_STOCK = "LowStock"
# A product, its variants, prices or stock changed through the catalogue mutations (payload:
# productId; no sellerId, so no subscription topic). Read by the response cache
# (docs/rules.md "Response cache").
CATALOG_CHANGED = "CatalogChanged"
