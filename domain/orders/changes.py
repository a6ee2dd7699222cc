"""orderCancel and orderRefund.

Cancel (buyer of the order, or an admin): allowed from PENDING_PAYMENT, CONFIRMED or
PROCESSING while no shipment has left (SHIPPED or later): INVALID_STATE_TRANSITION otherwise.
The order becomes CANCELLED and gives back what it holds (domain.orders.cancellation); if it
was paid, everything captured and not yet refunded is refunded (and the points it earned are
taken back, the balance may go negative: docs/rules.md "Money rules"). A payment attempt
still open (e.g. waiting for 3-D Secure) is cancelled at the provider once the order change
has committed; if the provider says it already succeeded, that success is applied and refunded
at once. Should the provider be unreachable, PAYMENT_PROVIDER_UNAVAILABLE says so (repeating
the request retries), and a success that still arrives is refunded when it arrives
(`refund_surplus`, called by every path that applies an outcome).

Refund (admin): 1 up to what is captured and not yet refunded (INVALID_INPUT otherwise).
A paid order fully refunded becomes REFUNDED (a cancelled one stays CANCELLED), and its
shipments that have not left are cancelled with their units back in stock, exactly as a
cancel does (domain.orders.cancellation.release_unshipped).

Money leaves through the provider outside any transaction (docs/architecture.md): the order change
commits first, then the provider refunds with an idempotency key derived from what was already
refunded, then the refund is recorded with its ledger reversal (domain.ledger.postings, pro
rata) in a second transaction. If the provider cannot be reached, the order stays as changed and the
refund is still owed: repeating the same mutation performs it (PAYMENT_PROVIDER_UNAVAILABLE
tells the caller so); nothing is refunded twice.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Awaitable, Callable

import logging

from domain import events
from domain.errors import DomainError, forbidden, invalid, not_found
from domain.orders.event_state import state_payload
from domain.ledger.postings import Posting, refund_posting
from domain.orders.cancellation import cancel_placed_order, release_unshipped
from domain.orders.model import Order, OrderStatus, Payment, ShipmentStatus
from domain.payments.outcomes import Applied, Outcome, apply_outcome, order_capture
from domain.payments.provider import (
    PaymentProvider,
    PaymentProviderUnavailable,
    PaymentRequestRejected,
    PaymentStatus,
)

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

log = logging.getLogger("marketplace.payments")

Transact = Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]
CANCELLABLE = (OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, OrderStatus.PROCESSING)
# A payment in one of these has taken the buyer's money (some of it may be refunded since).
CAPTURED = (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)
SHIPPED_OR_LATER = (ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED)


@dataclass(frozen=True)
class Changed:
    order: Order
    payment: Payment | None
    problems: list[DomainError]


def _captured(payments: list[Payment]) -> Payment | None:
    return next((p for p in payments if p.status in CAPTURED), None)


async def _cancel(uow: UnitOfWork, *, order_id: int | None, user_id: int, is_admin: bool,
                  reason: str | None) -> tuple[Order, Payment | None, list[Payment]]:
    """Returns the order, its captured payment, and the attempts to cancel at the provider."""
    order = await uow.orders.get(order_id, lock=True) if order_id else None
    if order is None or not (is_admin or order.buyer_id == user_id):
        raise not_found("No such order.", "orderId")
    payments = await uow.payments.for_order(order.id)
    paid = _captured(payments)
    if order.status == OrderStatus.CANCELLED:  # a repeat: finish what is owed, change nothing else
        await uow.commit()
        return order, paid, [p for p in payments
                             if p.status in (PaymentStatus.CANCELED, PaymentStatus.FAILED)
                             and p.provider_reference]
    shipments = await uow.orders.shipments(order.id)
    if order.status not in CANCELLABLE or any(s.status in SHIPPED_OR_LATER for s in shipments):
        raise DomainError("INVALID_STATE_TRANSITION",
                          f"An order that is {order.status} cannot be cancelled"
                          + (" after a shipment left." if order.status in CANCELLABLE else "."))
    now = uow.now()
    opened = await cancel_placed_order(uow, order, reason=reason or "cancelled", now=now,
                                       payments=payments)
    if opened is None:
        raise DomainError("CONFLICT", "The order changed meanwhile; try again.")
    if paid is not None:
        await uow.loyalty.take_back(order.buyer_id, order.loyalty_points_earned, order.id, now)
    cancelled = await uow.orders.get(order.id)
    assert cancelled is not None
    await uow.commit()
    # A declined intent stays open at the provider (it could still be confirmed with another
    # card), so it is cancelled there too.
    failed = [p for p in payments if p.status == PaymentStatus.FAILED]
    return cancelled, paid, [p for p in opened + failed if p.provider_reference]


async def cancel_order(transact: Transact, provider: PaymentProvider, *, order_id: int | None,
                       user_id: int, is_admin: bool, reason: str | None) -> Changed:
    order, paid, to_cancel = await transact(lambda uow: _cancel(
        uow, order_id=order_id, user_id=user_id, is_admin=is_admin, reason=reason))
    problems: list[DomainError] = []
    for attempt in to_cancel:
        problems += await _cancel_intent(transact, provider, attempt)
    if paid is None or paid.refunded_minor >= paid.amount_minor:
        return Changed(order, paid, problems)
    changed = await _refund(transact, provider, order, paid,
                            paid.amount_minor - paid.refunded_minor, reason)
    return Changed(changed.order, changed.payment, problems + changed.problems)


async def _cancel_intent(transact: Transact, provider: PaymentProvider,
                         attempt: Payment) -> list[DomainError]:
    """Cancel an attempt's intent at the provider; one that already succeeded is applied
    (the one outcome path) and refunded."""
    try:
        intent = await provider.cancel(attempt.provider_reference or "")
    except PaymentProviderUnavailable:
        return [DomainError(
            "PAYMENT_PROVIDER_UNAVAILABLE",
            "The open payment could not be cancelled at the payment provider; repeat the "
            "request to retry. A payment that still succeeds is refunded automatically.")]
    except PaymentRequestRejected as rejected:
        log.warning("cancelling payment %s at the provider was refused: %s", attempt.id,
                    rejected)
        return []
    if intent.status not in CAPTURED:
        return []
    applied = await transact(lambda uow: apply_outcome(
        uow, payment_id=attempt.id, outcome=Outcome(status=PaymentStatus.SUCCEEDED,
                                                    reference=intent.reference)))
    return await refund_surplus(transact, provider, applied)


async def refund_surplus(transact: Transact, provider: PaymentProvider,
                         applied: Applied) -> list[DomainError]:
    """Refund in full a payment that captured money its order cannot keep (`Applied.
    refund_owed`: paid after a cancel, or paid twice); recorded with its ledger reversal. The
    order itself does not change. If the provider cannot be reached the refund stays owed
    (logged; orderCancel repeated, or an admin's orderRefund, performs it)."""
    payment = applied.payment
    if not applied.refund_owed or payment.refunded_minor >= payment.amount_minor:
        return []
    amount = payment.amount_minor - payment.refunded_minor
    key = f"refund:{applied.order_number}:{payment.id}:{payment.refunded_minor}:{amount}"
    try:
        await provider.refund(reference=payment.provider_reference or "", amount_minor=amount,
                              idempotency_key=key)
    except (PaymentProviderUnavailable, PaymentRequestRejected) as exc:
        log.error("payment %s of order %s must be refunded (%s minor units): %s", payment.id,
                  applied.order_number, amount, exc)
        return [DomainError("PAYMENT_PROVIDER_UNAVAILABLE",
                            "A payment that arrived after the order was cancelled could not "
                            "be refunded yet; repeat the request to retry.")]
    await transact(lambda uow: record_refund(
        uow, order_id=payment.order_id, payment_id=payment.id,
        expected_refunded=payment.refunded_minor, amount=amount,
        reason="paid after the order was cancelled", settles_order=False))
    return []


async def refund_owed(transact: Transact, provider: PaymentProvider, *,
                      batch: int = 50) -> int:
    """The backstop (the server's sweeper loop): refund what cancelled orders still hold
    (a refund that could not reach the provider when it was due). Safe beside the paths that
    refund at once: the same idempotency key and the conditional record (`record_refund`)
    make a refund happen once. Returns how many payments it refunded."""
    owed = await transact(lambda uow: _owed(uow, batch))
    done = 0
    for applied in owed:
        if not await refund_surplus(transact, provider, applied):
            done += 1
    return done


async def _owed(uow: UnitOfWork, batch: int) -> list[Applied]:
    rows = await uow.payments.owed_refunds(batch)
    await uow.commit()
    return [Applied(payment, number, refund_owed=True) for payment, number in rows]


async def refund_order(transact: Transact, provider: PaymentProvider, *, order_id: int | None,
                       amount_minor: int, reason: str | None) -> Changed:
    order, paid = await transact(lambda uow: _refundable(uow, order_id))
    left = paid.amount_minor - paid.refunded_minor
    if not 1 <= amount_minor <= left:
        raise invalid(f"Refund between 1 and {left} minor units.", "amountMinorUnits")
    return await _refund(transact, provider, order, paid, amount_minor, reason)


async def _refundable(uow: UnitOfWork, order_id: int | None) -> tuple[Order, Payment]:
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


async def _previous_refunds(uow: UnitOfWork, order: Order, payment: Payment,
                            capture: Posting) -> list[Posting]:
    postings: list[Posting] = []
    for amount in await uow.ledger.refund_amounts(order.id, payment.id):
        postings.append(refund_posting(capture=capture, refund_amount=amount,
                                       previous_refunds=postings))
    return postings


async def record_refund(uow: UnitOfWork, *, order_id: int, payment_id: int, expected_refunded: int,
                        amount: int, reason: str | None,
                        settles_order: bool = True) -> tuple[Order, Payment]:
    """Record a refund the provider made: the payment's refunded amount and status, the
    ledger reversal (against this payment's capture), and, for the payment that paid the
    order (`settles_order`), REFUNDED for a fully refunded order with its unshipped shipments
    cancelled. Conditional on nobody having recorded this refund meanwhile."""
    now = uow.now()
    payment = await uow.payments.get(payment_id, lock=True)
    order = await uow.orders.get(order_id, lock=True)
    assert payment is not None and order is not None  # ids read from the database by the caller
    if payment.refunded_minor != expected_refunded:  # recorded already (a concurrent repeat)
        await uow.commit()
        return order, payment
    refunded = payment.refunded_minor + amount
    full = refunded >= payment.amount_minor
    await uow.payments.update(payment.id, now, refunded_minor=refunded,
                              status=(PaymentStatus.REFUNDED if full
                                      else PaymentStatus.PARTIALLY_REFUNDED))
    capture = order_capture(order)
    posting = refund_posting(capture=capture, refund_amount=amount,
                             previous_refunds=await _previous_refunds(uow, order, payment,
                                                                      capture))
    await uow.ledger.post(kind="REFUND", order_id=order.id, payment_id=payment.id,
                          entries=[(e.account, e.debit, e.credit) for e in posting.entries],
                          currency=order.currency, now=now)
    if settles_order and full and order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        if await uow.orders.change_status(order.id, order.status, OrderStatus.REFUNDED, now):
            await release_unshipped(uow, order, now)
            await uow.loyalty.credit(order.buyer_id, order.loyalty_points_used, "REFUND",
                                     order.id, now)
            await uow.loyalty.take_back(order.buyer_id, order.loyalty_points_earned, order.id,
                                        now)
            await uow.outbox.add(events.ORDER_STATUS_CHANGED, "Order", order.id, {
                "orderId": order.id, "buyerId": order.buyer_id, "from": order.status,
                "to": OrderStatus.REFUNDED, "reason": reason or "refunded",
                "state": state_payload(replace(order, status=OrderStatus.REFUNDED))}, now)
    after, paid = await uow.orders.get(order.id), await uow.payments.get(payment.id)
    assert after is not None and paid is not None
    await uow.commit()
    return after, paid


def check_actor(is_admin: bool) -> None:
    if not is_admin:
        raise forbidden("Only admins refund orders.")
