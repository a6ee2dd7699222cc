"""Applying payment outcomes: the one code path for the provider's answer and for webhooks.

`apply_outcome` is idempotent (a provider event id is applied once), tolerates out-of-order
delivery, and never moves a payment or an order backwards (domain.orders.model). On success the
order is CONFIRMED (confirmedAt, history), the promotion use it reserved when placed is kept,
the earned loyalty points are credited, the capture is written to the ledger
(domain.ledger.postings), and PaymentSucceeded + OrderStatusChanged are recorded; on failure
PaymentFailed is recorded and the order stays PENDING_PAYMENT until paymentDueAt so the buyer
can retry.

A success for an order that this payment cannot confirm (cancelled meanwhile, or already paid
by another attempt) is money the order cannot keep (docs/rules.md, "Money rules"): the
capture is written to the ledger as for any capture, and the answer says `refund_owed`, so the
caller refunds it in full outside the transaction (domain.orders.changes.refund_surplus).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain import events
from domain.orders.event_state import state_payload
from domain.ids import encode_id
from domain.ledger.postings import Posting, SellerShare, capture_posting, seller_payable
from domain.orders.model import Order, OrderStatus, Payment, payment_moves_forward
from domain.payments.provider import PaymentStatus

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

log = logging.getLogger("marketplace.payments")


@dataclass(frozen=True)
class Outcome:
    """What the provider says about one payment attempt, in our vocabulary."""

    status: str  # our PaymentStatus
    reference: str | None = None
    client_secret: str | None = None
    next_action_type: str | None = None
    next_action_url: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True)
class Applied:
    """The payment as the outcome left it; `refund_owed`: it captured money its order cannot
    keep (refund it in full, outside the transaction)."""

    payment: Payment
    order_number: str = ""
    refund_owed: bool = False
    order: Order | None = None  # the order as the outcome left it, when it was read


async def apply_outcome(uow: UnitOfWork, *, payment_id: int, outcome: Outcome,
                        event_id: str | None = None, event_type: str = "") -> Applied:
    """Apply and commit. A redelivered event or a backwards move changes nothing."""
    now = uow.now()
    if event_id is not None and not await uow.payments.record_event(
            event_id, event_type, payment_id, now):
        payment = await uow.payments.get(payment_id)
        assert payment is not None
        await uow.commit()
        return Applied(payment)
    # the payment and its order in one statement, both rows locked by it (docs/rules.md,
    # "Statement budgets of mutations")
    found = await uow.payments.with_order(payment_id, lock=True)
    assert found is not None  # a payment belongs to an order
    payment, order = found
    fields: dict[str, Any] = {}
    number, surplus = "", False
    if outcome.reference and not payment.provider_reference:
        fields["provider_reference"] = outcome.reference
    if outcome.client_secret and not payment.client_secret:
        fields["client_secret"] = outcome.client_secret
    if payment_moves_forward(payment.status, outcome.status):
        fields.update(status=outcome.status, next_action_type=outcome.next_action_type,
                      next_action_url=outcome.next_action_url,
                      failure_message=outcome.failure_message)
        number = order.number
        if outcome.status == PaymentStatus.SUCCEEDED:
            surplus = not await confirm_paid(uow, order, replace(payment, **fields), now)
            if not surplus:
                order = confirmed(order, now)
        elif outcome.status == PaymentStatus.FAILED:
            await uow.outbox.add(events.PAYMENT_FAILED, "Order", order.id, {
                "orderId": order.id, "paymentId": payment.id, "buyerId": order.buyer_id,
                "message": outcome.failure_message,
                "state": state_payload(order, payment=replace(payment, **fields))}, now)
    if fields:
        await uow.payments.update(payment.id, now, **fields)
    await uow.commit()
    # the rows as just written, without reading them back
    return Applied(replace(payment, **fields), number, surplus, order)


async def confirm_paid(uow: UnitOfWork, order: Order, payment: Payment, now: datetime) -> bool:
    """`payment` succeeded: confirm the order and book the capture. False when the order can
    no longer be confirmed (the capture is booked all the same; the money is to be refunded).
    The events go in one statement, PaymentSucceeded first."""
    paid = {"event_type": events.PAYMENT_SUCCEEDED, "aggregate_type": "Order",
            "aggregate_id": order.id, "payload": {
                "orderId": order.id, "paymentId": payment.id, "buyerId": order.buyer_id,
                "amount": payment.amount_minor, "currency": payment.currency,
                "state": state_payload(order, payment=payment)}}
    changed = await uow.orders.change_status(
        order.id, OrderStatus.PENDING_PAYMENT, OrderStatus.CONFIRMED, now,
        confirmed_at=now, payment_due_at=None)
    if not changed:
        # Paid after the order was cancelled (e.g. past paymentDueAt), or paid twice: the
        # money is in, so the ledger shows it, and the caller refunds it; the order stays.
        log.warning("payment %s succeeded for order %s in status %s: refunding it",
                    payment.id, order.number, order.status)
        await uow.outbox.add_many([paid], now)
        await _post_capture(uow, order, payment, now)
        return False
    await uow.outbox.add_many([paid, {
        "event_type": events.ORDER_STATUS_CHANGED, "aggregate_type": "Order",
        "aggregate_id": order.id, "payload": {
            "orderId": order.id, "buyerId": order.buyer_id,
            "from": OrderStatus.PENDING_PAYMENT, "to": OrderStatus.CONFIRMED,
            "state": state_payload(confirmed(order, now))}}], now)
    await uow.loyalty.credit(order.buyer_id, order.loyalty_points_earned, "EARN", order.id,
                             now)
    await _post_capture(uow, order, payment, now)
    return True


def confirmed(order: Order, now: datetime) -> Order:
    """`order` as confirming it leaves it."""
    return replace(order, status=OrderStatus.CONFIRMED, confirmed_at=now, payment_due_at=None)


def order_capture(order: Order) -> Posting:
    """The ledger posting of capturing an order's total (domain.ledger.postings), from the figures
    the order kept when it was priced."""
    detail = order.pricing_detail
    sellers = [SellerShare(seller_account=seller_payable(encode_id("Seller", s["seller_id"])),
                           item_revenue=int(s["item_revenue"]), shipping=int(s["shipping"]))
               for s in detail["sellers"]]
    return capture_posting(total=order.total_minor, currency=order.currency, sellers=sellers,
                           tax=order.tax_minor, points_minor=int(detail["points_minor"]))


async def _post_capture(uow: UnitOfWork, order: Order, payment: Payment, now: datetime) -> None:
    posting = order_capture(order)
    if not posting.entries:  # a zero-total order: no money moved, nothing to book
        return
    await uow.ledger.post(kind="CAPTURE", order_id=order.id, payment_id=payment.id,
                          entries=[(e.account, e.debit, e.credit) for e in posting.entries],
                          currency=order.currency, now=now)


# Refund states come with refunds (orderRefund / orderCancel), which post the ledger reversal
# in the same transaction; a provider refund event alone does not move the payment.
_APPLIED_FROM_EVENTS = {PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING,
                        PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELED}


async def apply_webhook(uow: UnitOfWork, event: Any) -> Applied | None:
    """A verified provider event (domain.payments.provider.WebhookEvent): applied through
    `apply_outcome` when it names one of our payments and implies a state; a redelivery is
    recognised by its id. None when it could not change anything."""
    payment = (await uow.payments.by_reference(event.payment_reference)
               if event.payment_reference else None)
    status = str(event.status) if event.status is not None else None
    if payment is None or status not in _APPLIED_FROM_EVENTS:
        if payment is None:
            log.info("provider event %s (%s) names no payment of ours", event.id, event.type)
        await uow.payments.record_event(event.id, event.type,
                                        payment.id if payment else None, uow.now())
        await uow.commit()
        return None
    return await apply_outcome(
        uow, payment_id=payment.id, event_id=event.id, event_type=event.type,
        outcome=Outcome(status=status, reference=event.payment_reference,
                        failure_message=event.failure_message))
