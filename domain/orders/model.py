"""Orders and payments: values and the state rules.

Order status (docs/rules.md): PENDING_PAYMENT -> CONFIRMED on payment; CONFIRMED -> PROCESSING ->
PARTIALLY_SHIPPED -> SHIPPED -> DELIVERED follow the shipments; CANCELLED from
PENDING_PAYMENT, CONFIRMED or PROCESSING; REFUNDED when a paid order is fully refunded. Every
change is appended to the status history; an illegal one is INVALID_STATE_TRANSITION.

Payment status only moves forward (out-of-order provider events never move it back):
INITIATED < REQUIRES_ACTION < PROCESSING < FAILED | CANCELED < SUCCEEDED < PARTIALLY_REFUNDED
< REFUNDED. A failed attempt may still succeed later (the buyer completes it on the
provider's side); a success never becomes a failure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import DomainError
from domain.payments.provider import PaymentStatus


class OrderStatus(StrEnum):
    """An order's status (stored as its value; the contract's OrderStatus enum)."""

    PENDING_PAYMENT = "PENDING_PAYMENT"
    CONFIRMED = "CONFIRMED"
    PROCESSING = "PROCESSING"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"


class ShipmentStatus(StrEnum):
    """A shipment's status (stored as its value; the contract's ShipmentStatus)."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    SHIPPED = "SHIPPED"
    IN_TRANSIT = "IN_TRANSIT"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


_O = OrderStatus
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    _O.PENDING_PAYMENT: frozenset({_O.CONFIRMED, _O.CANCELLED}),
    _O.CONFIRMED: frozenset({_O.PROCESSING, _O.PARTIALLY_SHIPPED, _O.SHIPPED, _O.CANCELLED,
                             _O.REFUNDED}),
    _O.PROCESSING: frozenset({_O.PARTIALLY_SHIPPED, _O.SHIPPED, _O.CANCELLED, _O.REFUNDED}),
    _O.PARTIALLY_SHIPPED: frozenset({_O.SHIPPED, _O.REFUNDED}),
    _O.SHIPPED: frozenset({_O.DELIVERED, _O.REFUNDED}),
    _O.DELIVERED: frozenset({_O.REFUNDED}),
    _O.CANCELLED: frozenset(),
    _O.REFUNDED: frozenset(),
}

_P = PaymentStatus
_PAYMENT_RANK: dict[str, int] = {
    _P.INITIATED: 0, _P.REQUIRES_ACTION: 1, _P.PROCESSING: 2, _P.FAILED: 3, _P.CANCELED: 3,
    _P.SUCCEEDED: 4, _P.PARTIALLY_REFUNDED: 5, _P.REFUNDED: 6}


def check_order_transition(current: str, new: str) -> None:
    if new not in ORDER_TRANSITIONS.get(current, frozenset()):
        raise DomainError("INVALID_STATE_TRANSITION",
                          f"An order that is {current} cannot become {new}.")


def payment_moves_forward(current: str, new: str) -> bool:
    return _PAYMENT_RANK[new] > _PAYMENT_RANK[current]


def order_number(year: int, sequence: int) -> str:
    """ORD-<year>-<6 digits>; the sequence only increases (docs/rules.md, "Orders,
    payments, ledger")."""
    return f"ORD-{year}-{sequence:06d}"


@dataclass(frozen=True)
class OrderLine:
    id: int
    order_id: int
    variant_id: int | None
    seller_id: int
    sku: str
    product_name: str
    quantity: int
    unit_price_minor: int
    discount_minor: int
    points_minor: int
    tax_minor: int
    currency: str

    @property
    def total_minor(self) -> int:
        """The line at its unit price (before order-level discounts), as CartLine.total."""
        return self.unit_price_minor * self.quantity


@dataclass(frozen=True)
class Shipment:
    id: int
    order_id: int
    seller_id: int
    status: str
    shipping_minor: int
    carrier: str | None
    tracking_number: str | None
    estimated_delivery: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class Payment:
    id: int
    order_id: int
    provider: str
    provider_reference: str | None
    idempotency_key: str
    payment_method: str
    status: str
    amount_minor: int
    refunded_minor: int
    currency: str
    client_secret: str | None
    next_action_type: str | None
    next_action_url: str | None
    failure_message: str | None
    created_at: datetime


@dataclass(frozen=True)
class Order:
    id: int
    number: str
    buyer_id: int
    checkout_id: int
    status: str
    currency: str
    subtotal_minor: int
    discount_total_minor: int
    shipping_minor: int
    tax_minor: int
    total_minor: int
    pricing_detail: dict[str, Any]
    promotion_code: str | None
    loyalty_points_used: int
    loyalty_points_earned: int
    shipping_address: dict[str, Any]
    billing_address: dict[str, Any] | None
    shipping_method: str
    notes: str | None
    idempotency_key: str
    payment_due_at: datetime | None
    created_at: datetime
    confirmed_at: datetime | None
    history: tuple[tuple[str, datetime], ...] = field(default=())
