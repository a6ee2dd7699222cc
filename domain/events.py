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
