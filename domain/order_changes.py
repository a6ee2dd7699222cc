"""orderCancel and orderRefund.

Cancel (buyer of the order, or an admin): allowed from PENDING_PAYMENT, CONFIRMED or
PROCESSING while no shipment has left (SHIPPED or later): INVALID_STATE_TRANSITION otherwise.
The order becomes CANCELLED, its allocation goes back to available, its shipments are
cancelled, held points are returned; if it was paid, everything captured and not yet refunded
is refunded (and the points it earned are taken back).

Refund (admin): 1 up to what is captured and not yet refunded (INVALID_INPUT otherwise).
A paid order fully refunded becomes REFUNDED (a cancelled one stays CANCELLED).

Money leaves through the provider outside any transaction (architecture.md): the order change
commits first, then the provider refunds with an idempotency key derived from what was already
refunded, then the refund is recorded with its ledger reversal (domain.ledger, pro rata) in a
second transaction. If the provider cannot be reached, the order stays as changed and the
refund is still owed: repeating the same mutation performs it (PAYMENT_PROVIDER_UNAVAILABLE
tells the caller so); nothing is refunded twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from domain import events
from domain.errors import DomainError, forbidden, invalid, not_found
from domain.ledger import Posting, refund_posting
from domain.orders import Order, Payment
from domain.payment_service import order_capture
from domain.payments import PaymentProvider, PaymentProviderUnavailable, PaymentRequestRejected

Transact = Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]
CANCELLABLE = ("PENDING_PAYMENT", "CONFIRMED", "PROCESSING")
SHIPPED_OR_LATER = ("SHIPPED", "IN_TRANSIT", "DELIVERED")


@dataclass(frozen=True)
class Changed:
    order: Order
    payment: Payment | None
    problems: list[DomainError]


def _captured(payments: list[Payment]) -> Payment | None:
    return next((p for p in payments if p.status in ("SUCCEEDED", "PARTIALLY_REFUNDED",
                                                     "REFUNDED")), None)


async def _cancel(uow: Any, *, order_id: int | None, user_id: int, is_admin: bool,
                  reason: str | None) -> tuple[Order, Payment | None]:
    order = await uow.orders.get(order_id, lock=True) if order_id else None
    if order is None or not (is_admin or order.buyer_id == user_id):
        raise not_found("No such order.", "orderId")
    paid = _captured(await uow.payments.for_order(order.id))
    if order.status == "CANCELLED":  # a repeat: finish an owed refund, change nothing else
        await uow.commit()
        return order, paid
    shipments = await uow.orders.shipments(order.id)
    if order.status not in CANCELLABLE or any(s.status in SHIPPED_OR_LATER for s in shipments):
        raise DomainError("INVALID_STATE_TRANSITION",
                          f"An order that is {order.status} cannot be cancelled"
                          + (" after a shipment left." if order.status in CANCELLABLE else "."))
    now = uow.now()
    if not await uow.orders.change_status(order.id, order.status, "CANCELLED", now,
                                          payment_due_at=None):
        raise DomainError("CONFLICT", "The order changed meanwhile; try again.")
    for line in await uow.orders.lines(order.id, order.currency):
        if line.variant_id is not None:
            await uow.inventory.release_allocation(line.variant_id, line.quantity)
    await uow.orders.cancel_shipments(order.id, now)
    for payment in await uow.payments.for_order(order.id):
        if payment.status in ("INITIATED", "REQUIRES_ACTION", "PROCESSING"):
            await uow.payments.update(payment.id, now, status="CANCELED")
    await uow.loyalty.credit(order.buyer_id, order.loyalty_points_used, "REFUND", order.id, now)
    if paid is not None:
        await uow.loyalty.take_back(order.buyer_id, order.loyalty_points_earned, order.id, now)
    await uow.outbox.add(events.ORDER_STATUS_CHANGED, "Order", order.id, {
        "orderId": order.id, "buyerId": order.buyer_id, "from": order.status,
        "to": "CANCELLED", "reason": reason or "cancelled"}, now)
    cancelled = await uow.orders.get(order.id)
    await uow.commit()
    return cancelled, paid


async def cancel_order(transact: Transact, provider: PaymentProvider, *, order_id: int | None,
                       user_id: int, is_admin: bool, reason: str | None) -> Changed:
    order, paid = await transact(lambda uow: _cancel(uow, order_id=order_id, user_id=user_id,
                                                     is_admin=is_admin, reason=reason))
    if paid is None or paid.refunded_minor >= paid.amount_minor:
        return Changed(order, paid, [])
    return await _refund(transact, provider, order, paid,
                         paid.amount_minor - paid.refunded_minor, reason)


async def refund_order(transact: Transact, provider: PaymentProvider, *, order_id: int | None,
                       amount_minor: int, reason: str | None) -> Changed:
    order, paid = await transact(lambda uow: _refundable(uow, order_id))
    left = paid.amount_minor - paid.refunded_minor
    if not 1 <= amount_minor <= left:
        raise invalid(f"Refund between 1 and {left} minor units.", "amountMinorUnits")
    return await _refund(transact, provider, order, paid, amount_minor, reason)


async def _refundable(uow: Any, order_id: int | None) -> tuple[Order, Payment]:
    order = await uow.orders.get(order_id) if order_id else None
    if order is None:
        raise not_found("No such order.", "orderId")
    paid = _captured(await uow.payments.for_order(order.id))
    if paid is None:
        raise DomainError("INVALID_STATE_TRANSITION", "This order has not been paid.")
    return order, paid


async def _refund(transact: Transact, provider: PaymentProvider, order: Order, paid: Payment,
                  amount: int, reason: str | None) -> Changed:
    key = f"refund:{order.number}:{paid.id}:{paid.refunded_minor}:{amount}"
    try:
        await provider.refund(reference=paid.provider_reference or "", amount_minor=amount,
                              idempotency_key=key)
    except PaymentProviderUnavailable as down:
        return Changed(order, paid, [down.as_user_error(
            "The refund could not reach the payment provider; repeat the request to retry.")])
    except PaymentRequestRejected as rejected:
        return Changed(order, paid, [DomainError("CONFLICT", f"Refund refused: {rejected}")])
    order, paid = await transact(lambda uow: record_refund(
        uow, order_id=order.id, payment_id=paid.id, expected_refunded=paid.refunded_minor,
        amount=amount, reason=reason))
    return Changed(order, paid, [])


async def _previous_refunds(uow: Any, order: Order, capture: Posting) -> list[Posting]:
    postings: list[Posting] = []
    for amount in await uow.ledger.refund_amounts(order.id):
        postings.append(refund_posting(capture=capture, refund_amount=amount,
                                       previous_refunds=postings))
    return postings


async def record_refund(uow: Any, *, order_id: int, payment_id: int, expected_refunded: int,
                        amount: int, reason: str | None) -> tuple[Order, Payment]:
    """Record a refund the provider made: the payment's refunded amount and status, the
    ledger reversal, and REFUNDED for a fully refunded paid order. Conditional on nobody
    having recorded this refund meanwhile."""
    now = uow.now()
    payment = await uow.payments.get(payment_id, lock=True)
    order = await uow.orders.get(order_id, lock=True)
    if payment.refunded_minor != expected_refunded:  # recorded already (a concurrent repeat)
        await uow.commit()
        return order, payment
    refunded = payment.refunded_minor + amount
    full = refunded >= payment.amount_minor
    await uow.payments.update(payment.id, now, refunded_minor=refunded,
                              status="REFUNDED" if full else "PARTIALLY_REFUNDED")
    capture = order_capture(order)
    posting = refund_posting(capture=capture, refund_amount=amount,
                             previous_refunds=await _previous_refunds(uow, order, capture))
    await uow.ledger.post(kind="REFUND", order_id=order.id, payment_id=payment.id,
                          entries=[(e.account, e.debit, e.credit) for e in posting.entries],
                          currency=order.currency, now=now)
    if full and order.status not in ("CANCELLED", "REFUNDED"):
        if await uow.orders.change_status(order.id, order.status, "REFUNDED", now):
            await uow.loyalty.credit(order.buyer_id, order.loyalty_points_used, "REFUND",
                                     order.id, now)
            await uow.loyalty.take_back(order.buyer_id, order.loyalty_points_earned, order.id,
                                        now)
            await uow.outbox.add(events.ORDER_STATUS_CHANGED, "Order", order.id, {
                "orderId": order.id, "buyerId": order.buyer_id, "from": order.status,
                "to": "REFUNDED", "reason": reason or "refunded"}, now)
    result = await uow.orders.get(order.id), await uow.payments.get(payment.id)
    await uow.commit()
    return result


def check_actor(is_admin: bool) -> None:
    if not is_admin:
        raise forbidden("Only admins refund orders.")
