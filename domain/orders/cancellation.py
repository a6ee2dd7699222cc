"""What cancelling an order gives back, stated once (docs/rules.md "Inventory", "Orders";
docs/rules.md "Money rules").

- `release_unshipped`: the shipments that have not left (PENDING, PROCESSING) are CANCELLED
  and the units of their lines go back from allocated to available. orderCancel, the sweeper
  (an unpaid order at paymentDueAt) and a full refund (orderRefund of everything) all use it,
  so a refunded order never leaves a shipment PENDING with its units allocated.
- `cancel_placed_order`: the order becomes CANCELLED (conditional on its status, so a payment that
  just confirmed it wins over the sweeper), `release_unshipped`, the open payment attempts
  are CANCELED here (the caller cancels their intents at the provider: domain.orders.changes),
  the points the order holds are given back, and so is the promotion use it holds.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from domain import events
from domain.orders.event_state import state_payload
from domain.orders.model import Order, OrderStatus, Payment
from domain.payments.provider import PaymentStatus

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

OPEN_PAYMENT = (PaymentStatus.INITIATED, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING)


async def release_unshipped(uow: UnitOfWork, order: Order, now: datetime) -> None:
    sellers = await uow.orders.cancel_shipments(order.id, now)
    if not sellers:
        return
    for line in await uow.orders.lines(order.id, order.currency):
        if line.variant_id is not None and line.seller_id in sellers:
            await uow.inventory.release_allocation(line.variant_id, line.quantity)


async def cancel_placed_order(uow: UnitOfWork, order: Order, *, reason: str, now: datetime,
                       payments: list[Payment] | None = None) -> list[Payment] | None:
    """Cancel `order` (still in `order.status`); None when it moved meanwhile. Returns the
    payment attempts that were open (now CANCELED here). Does not commit."""
    if not await uow.orders.change_status(order.id, order.status, OrderStatus.CANCELLED, now,
                                          payment_due_at=None):
        return None
    await release_unshipped(uow, order, now)
    opened = [p for p in (payments if payments is not None
                          else await uow.payments.for_order(order.id))
              if p.status in OPEN_PAYMENT]
    for payment in opened:
        await uow.payments.update(payment.id, now, status=PaymentStatus.CANCELED)
    await uow.loyalty.credit(order.buyer_id, order.loyalty_points_used, "REFUND", order.id, now)
    if order.promotion_code:
        await uow.promotions.release_use(order.id)
    await uow.outbox.add(events.ORDER_STATUS_CHANGED, "Order", order.id, {
        "orderId": order.id, "buyerId": order.buyer_id, "from": order.status,
        "to": OrderStatus.CANCELLED, "reason": reason,
        "state": state_payload(replace(order, status=OrderStatus.CANCELLED,
                                       payment_due_at=None))}, now)
    return opened
