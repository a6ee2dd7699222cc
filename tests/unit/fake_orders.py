"""The order side of the fake unit of work (tests/unit/fakes.py): orders, shipments and
payments in memory, and builders that seed an order with its shipment and payment."""
from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Sequence

from domain.orders.model import Order, OrderLine, OrderStatus, Payment, Shipment, ShipmentStatus
from domain.payments.provider import PaymentStatus

if TYPE_CHECKING:
    from tests.unit.fakes import FakeUnitOfWork

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


_ORDER_FIELDS = {f.name for f in fields(Order)}


class FakeOrders:
    def __init__(self) -> None:
        self.orders: dict[int, Order] = {}
        self.order_lines: dict[int, list[OrderLine]] = {}
        self.shipment_rows: dict[int, Shipment] = {}  # shared with FakeShipments
        self.history: list[tuple[int, str]] = []
        self.with_history: set[int] = set()  # variant ids whose products have history
        self.numbers: dict[int, int] = {}  # year -> last order number
        self._ids = iter(range(1, 10**6))

    async def create(self, values: dict[str, Any]) -> Order:
        order_id = next(self._ids)
        known = {k: v for k, v in values.items() if k in _ORDER_FIELDS}
        order = self.orders[order_id] = Order(id=order_id, confirmed_at=None, **known)
        return order

    async def next_number(self, year: int) -> int:
        self.numbers[year] = self.numbers.get(year, 0) + 1
        return self.numbers[year]

    async def by_idempotency_key(self, buyer_id: int, key: str) -> Order | None:
        return next((o for o in self.orders.values()
                     if o.buyer_id == buyer_id and o.idempotency_key == key), None)

    async def add_lines(self, rows: list[dict[str, Any]], currency: str) -> list[OrderLine]:
        written = []
        for row in rows:
            lines = self.order_lines.setdefault(row["order_id"], [])
            written.append(OrderLine(id=next(self._ids), currency=currency, **row))
            lines.append(written[-1])
        return written

    async def add_shipments(self, rows: list[dict[str, Any]]) -> list[Shipment]:
        added = []
        for row in rows:
            shipment = Shipment(
                id=next(self._ids), order_id=row["order_id"], seller_id=row["seller_id"],
                status=row["status"], shipping_minor=row["shipping_minor"], carrier=None,
                tracking_number=None, estimated_delivery=row["estimated_delivery"],
                shipped_at=None, delivered_at=None, created_at=row["created_at"])
            self.shipment_rows[shipment.id] = shipment
            added.append(shipment)
        return added

    async def mark_products_with_history(self, variant_ids: Sequence[int]) -> None:
        self.with_history.update(variant_ids)

    async def unpaid_past_due(self, now: datetime, limit: int) -> list[int]:
        return sorted(o.id for o in self.orders.values()
                      if o.status == OrderStatus.PENDING_PAYMENT
                      and o.payment_due_at is not None and o.payment_due_at <= now)[:limit]

    async def get(self, order_id: int, *, lock: bool = False) -> Order | None:
        return self.orders.get(order_id)

    async def change_status(self, order_id: int, old: str, new: str, now: datetime,
                            **values: Any) -> bool:
        order = self.orders.get(order_id)
        if order is None or order.status != old:
            return False
        self.orders[order_id] = replace(order, status=new, **values)
        self.history.append((order_id, new))
        return True

    async def add_history(self, order_id: int, status: str, at: datetime) -> None:
        self.history.append((order_id, status))

    async def lines(self, order_id: int, currency: str) -> list[OrderLine]:
        return list(self.order_lines.get(order_id, []))

    async def shipments(self, order_id: int) -> list[Shipment]:
        return [s for s in self.shipment_rows.values() if s.order_id == order_id]

    async def cancel_shipments(self, order_id: int, now: datetime) -> set[int]:
        sellers = set()
        for s in await self.shipments(order_id):
            if s.status in (ShipmentStatus.PENDING, ShipmentStatus.PROCESSING):
                self.shipment_rows[s.id] = replace(s, status=ShipmentStatus.CANCELLED)
                sellers.add(s.seller_id)
        return sellers


class FakeShipments:
    def __init__(self, rows: dict[int, Shipment]) -> None:
        self.rows = rows

    async def get(self, shipment_id: int, *, lock: bool = False) -> Shipment | None:
        return self.rows.get(shipment_id)

    async def by_tracking_number(self, tracking_number: str) -> Shipment | None:
        return next((s for s in self.rows.values() if s.tracking_number == tracking_number),
                    None)

    async def for_order(self, order_id: int) -> list[Shipment]:
        return [s for s in self.rows.values() if s.order_id == order_id]

    async def change_status(self, shipment_id: int, old: str, new: str, now: datetime,
                            **values: Any) -> Shipment | None:
        shipment = self.rows.get(shipment_id)
        if shipment is None or shipment.status != old:
            return None
        shipment = self.rows[shipment_id] = replace(shipment, status=new, **values)
        return shipment


class FakePayments:
    def __init__(self) -> None:
        self.rows: dict[int, Payment] = {}
        self.seen_events: set[str] = set()
        self.faults: list[tuple[str, int | None]] = []  # (kind, payment id)
        self.order_rows: dict[int, Order] = {}  # FakeOrders.orders, shared by the unit of work
        self._ids = iter(range(1000, 10**6))

    async def create(self, *, order_id: int, provider: str, idempotency_key: str,
                     payment_method: str, amount_minor: int, currency: str,
                     now: datetime) -> Payment:
        payment = Payment(
            id=next(self._ids), order_id=order_id, provider=provider, provider_reference=None,
            idempotency_key=idempotency_key, payment_method=payment_method,
            status=PaymentStatus.INITIATED, amount_minor=amount_minor, refunded_minor=0,
            currency=currency, client_secret=None, next_action_type=None,
            next_action_url=None, failure_message=None, created_at=now)
        self.rows[payment.id] = payment
        return payment

    async def by_idempotency_key(self, key: str) -> Payment | None:
        return next((p for p in self.rows.values() if p.idempotency_key == key), None)

    async def by_reference(self, reference: str, *, lock: bool = False) -> Payment | None:
        return next((p for p in self.rows.values() if p.provider_reference == reference), None)

    async def owed_refunds(self, limit: int) -> list[tuple[Payment, str]]:
        """Payments holding money of a CANCELLED order not refunded yet, with its number."""
        return [(p, order.number) for p in sorted(self.rows.values(), key=lambda p: p.id)
                for order in [self.order_rows[p.order_id]]
                if order.status == OrderStatus.CANCELLED
                and p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED)
                and p.refunded_minor < p.amount_minor][:limit]

    async def record_fault(self, *, kind: str, message: str, payment_id: int | None,
                           event_id: str, event_type: str, expected_amount: int | None,
                           expected_currency: str | None, received_amount: int | None,
                           received_currency: str | None, now: datetime) -> None:
        self.faults.append((kind, payment_id))

    async def get(self, payment_id: int, *, lock: bool = False) -> Payment | None:
        return self.rows.get(payment_id)

    async def with_order(self, payment_id: int, *,
                         lock: bool = False) -> tuple[Payment, Order] | None:
        payment = self.rows.get(payment_id)
        return (payment, self.order_rows[payment.order_id]) if payment is not None else None

    async def for_order(self, order_id: int) -> list[Payment]:
        return [p for p in self.rows.values() if p.order_id == order_id]

    async def update(self, payment_id: int, now: datetime, **values: Any) -> None:
        self.rows[payment_id] = replace(self.rows[payment_id], **values)

    async def record_event(self, event_id: str, event_type: str, payment_id: int | None,
                           now: datetime) -> bool:
        if event_id in self.seen_events:
            return False
        self.seen_events.add(event_id)
        return True


# --------------------------------------------------------------------------- builders

def seed_order(uow: FakeUnitOfWork, *, order_id: int = 1, status: str = "PENDING_PAYMENT",
               buyer_id: int = 7, seller_id: int = 3, variant_id: int = 11, quantity: int = 2,
               points_used: int = 0, points_earned: int = 0, promotion_code: str | None = None,
               shipment_status: str = "PENDING") -> Order:
    """An order of `quantity` units of one variant at 10.00 from one seller (one shipment,
    id 100 + order id), total 20.00 + 5.00 shipping; its units allocated in stock."""
    items, shipping = 1000 * quantity, 500
    order = Order(
        id=order_id, number=f"ORD-2026-{order_id:06d}", buyer_id=buyer_id, checkout_id=1,
        status=status, currency="USD", subtotal_minor=items, discount_total_minor=0,
        shipping_minor=shipping, tax_minor=0, total_minor=items + shipping,
        pricing_detail={"sellers": [{"seller_id": seller_id, "item_revenue": items,
                                     "shipping": shipping}], "points_minor": 0},
        promotion_code=promotion_code, loyalty_points_used=points_used,
        loyalty_points_earned=points_earned, shipping_address={"line1": "1 Main St"},
        billing_address=None, shipping_method="STANDARD", notes=None,
        idempotency_key=f"key-{order_id}", payment_due_at=T0 + timedelta(minutes=30),
        created_at=T0, confirmed_at=None)
    uow.orders.orders[order_id] = order
    uow.orders.order_lines[order_id] = [OrderLine(
        id=order_id * 10, order_id=order_id, variant_id=variant_id, seller_id=seller_id,
        sku="SKU-1", product_name="Mug", quantity=quantity, unit_price_minor=1000,
        discount_minor=0, points_minor=0, tax_minor=0, currency="USD")]
    uow.orders.shipment_rows[100 + order_id] = Shipment(
        id=100 + order_id, order_id=order_id, seller_id=seller_id, status=shipment_status,
        shipping_minor=shipping, carrier=None, tracking_number=None, estimated_delivery=None,
        shipped_at=None, delivered_at=None, created_at=T0)
    level = uow.inventory.levels.get(variant_id)
    if level is None:
        uow.inventory.put(variant_id, 10)
        level = uow.inventory.levels[variant_id]
    uow.inventory.levels[variant_id] = replace(level, available=level.available - quantity,
                                               allocated=level.allocated + quantity)
    return order


def seed_payment(uow: FakeUnitOfWork, order: Order, *, payment_id: int = 50,
                 status: str = "INITIATED", reference: str | None = "pi_1") -> Payment:
    payment = Payment(
        id=payment_id, order_id=order.id, provider="fake", provider_reference=reference,
        idempotency_key=f"pay-{payment_id}", payment_method="card", status=status,
        amount_minor=order.total_minor, refunded_minor=0, currency=order.currency,
        client_secret=None, next_action_type=None, next_action_url=None,
        failure_message=None, created_at=T0)
    uow.payments.rows[payment_id] = payment
    return payment
