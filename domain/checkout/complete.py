"""checkoutComplete and orderRetryPayment: place (or find) the order, then charge it.

Three steps, never one transaction around the network call (docs/architecture.md): (1) the order
and its payment attempt are committed; (2) the provider is asked, with the attempt's
idempotency key, so a retry after a crash cannot charge twice; (3) its answer is applied by
the one outcome path (domain.payments.outcomes), exactly as a webhook would be. `transact`
runs a use case in a write transaction, `read` in a read-only one.

An order whose total is zero is confirmed when it is placed, without the provider (its
payment record: amount 0, SUCCEEDED, provider "none"; docs/rules.md "Money rules").

A decline leaves the order PENDING_PAYMENT (PAYMENT_DECLINED in userErrors) so the buyer can
retry with another method until paymentDueAt; an unreachable provider leaves the attempt
INITIATED (PAYMENT_PROVIDER_UNAVAILABLE) and repeating the same request charges it then.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from domain.checkout.services import Policy
from domain.errors import DomainError, ErrorList, not_found
from domain.orders.placement import (
    Placement,
    place_order,
    record_seen_prices,
    resolve_payment_method,
)
from domain.orders.model import Order, OrderLine, OrderStatus, Payment, Shipment
from domain.orders.changes import refund_surplus
from domain.payments.outcomes import Applied, Outcome, apply_outcome
from domain.payments.provider import (
    PaymentStatus,
    IntentResult,
    PaymentProvider,
    PaymentProviderUnavailable,
    PaymentRequestRejected,
)

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

Transact = Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]


@dataclass(frozen=True)
class Written:
    """What checkoutComplete wrote of a new order, as its transactions left it, so the
    payload shows it without reading it back (docs/rules.md, "Statement budgets of
    mutations")."""

    lines: list[OrderLine]
    shipments: list[Shipment]
    payments: list[Payment]
    history: list[tuple[str, datetime]]


@dataclass(frozen=True)
class Charged:
    order: Order
    payment: Payment
    problems: list[DomainError]
    written: Written | None = None


def outcome_of(result: IntentResult) -> Outcome:
    return Outcome(status=str(result.status), reference=result.reference,
                   client_secret=result.client_secret,
                   next_action_type=result.next_action_type,
                   next_action_url=result.next_action_url,
                   failure_message=result.failure_message)


async def _charge(transact: Transact, read: Transact, provider: PaymentProvider,
                  order: Order, payment: Payment, return_url: str) -> Charged:
    try:
        result = await provider.create_and_confirm(
            amount_minor=payment.amount_minor, currency=payment.currency,
            payment_method=payment.payment_method, idempotency_key=payment.idempotency_key,
            metadata={"order": order.number, "payment": str(payment.id)},
            return_url=return_url)
    except PaymentProviderUnavailable as down:
        return Charged(order, payment, [down.as_user_error(
            "The payment provider could not be reached; repeat the request to retry.")])
    except PaymentRequestRejected as rejected:  # e.g. a payment method the provider refuses
        outcome = Outcome(status=PaymentStatus.FAILED, failure_message=str(rejected))
    else:
        outcome = outcome_of(result)
    applied = await transact(lambda uow: apply_outcome(uow, payment_id=payment.id,
                                                       outcome=outcome))
    if applied.refund_owed:  # the order was cancelled while the provider answered
        await refund_surplus(transact, provider, applied)
        applied = await read(lambda uow: _read_applied(uow, payment.id))
    return await _finish(read, order.id, applied.payment, applied.order)


async def _finish(read: Transact, order_id: int, payment: Payment,
                  order: Order | None = None) -> Charged:
    """The order as the outcome left it: `order` when the outcome's transaction gave it, else
    read (a read-only unit of work: no write lock)."""
    if order is None:
        order = await read(lambda uow: _read_order(uow, order_id))
    problems = []
    if payment.status == PaymentStatus.FAILED:
        problems.append(DomainError("PAYMENT_DECLINED",
                                    payment.failure_message or "The payment was declined.",
                                    ["input", "paymentMethod"]))
    return Charged(order, payment, problems)


async def _read_applied(uow: UnitOfWork, payment_id: int) -> Applied:
    payment = await uow.payments.get(payment_id)
    assert payment is not None
    return Applied(payment)


async def _read_order(uow: UnitOfWork, order_id: int) -> Order:
    order = await uow.orders.get(order_id)
    assert order is not None
    return order


async def complete_checkout(transact: Transact, read: Transact, provider: PaymentProvider, *,
                            buyer_id: int,
                            session_id: int | None, payment_method: str,
                            idempotency_key: str, policy: Policy, return_url: str) -> Charged:
    try:
        placement = await transact(lambda uow: place_order(
            uow, buyer_id=buyer_id, session_id=session_id, payment_method=payment_method,
            idempotency_key=idempotency_key, policy=policy, provider=provider.name))
    except ErrorList as errors:
        if session_id is not None and any(e.code == "PRICE_CHANGED" for e in errors.errors):
            await transact(lambda uow: record_seen_prices(uow, buyer_id=buyer_id,
                                                          session_id=session_id))
        raise
    if placement.payment.status == PaymentStatus.INITIATED:  # new, or a retry after a failed call
        charged = await _charge(transact, read, provider, placement.order, placement.payment,
                                return_url)
        return replace(charged, written=_written(placement, charged))
    return await _finish(read, placement.order.id, placement.payment)


def _written(placement: Placement, charged: Charged) -> Written | None:
    """A new order's rows as this request left them, when they are known without a read: its
    lines and shipments as placed, this attempt as its only payment, and its history (placed,
    then confirmed by this outcome or another). None for a replay, or for an order that left
    PENDING_PAYMENT otherwise (cancelled meanwhile: the payload reads it)."""
    order = charged.order
    if placement.replay or order.status not in (OrderStatus.PENDING_PAYMENT,
                                                 OrderStatus.CONFIRMED):
        return None
    history = [(str(OrderStatus.PENDING_PAYMENT), placement.order.created_at)]
    if order.status == OrderStatus.CONFIRMED:
        assert order.confirmed_at is not None
        history.append((str(OrderStatus.CONFIRMED), order.confirmed_at))
    return Written(list(placement.lines), list(placement.shipments), [charged.payment],
                   history)


async def _new_attempt(uow: UnitOfWork, *, buyer_id: int, order_id: int | None, payment_method: str,
                       idempotency_key: str, provider: str) -> tuple[Order, Payment]:
    order = await uow.orders.get(order_id, lock=True) if order_id else None
    if order is None or order.buyer_id != buyer_id:
        raise not_found("No such order.", "orderId")
    key = f"{order.number}:retry:{idempotency_key.strip()}"
    existing = await uow.payments.by_idempotency_key(key)
    if existing is not None:
        return order, existing
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise DomainError("INVALID_STATE_TRANSITION",
                          f"An order that is {order.status} cannot be paid again.")
    if any(p.status in (PaymentStatus.SUCCEEDED, PaymentStatus.PROCESSING)
           for p in await uow.payments.for_order(order.id)):
        raise DomainError("INVALID_STATE_TRANSITION", "This order is already being paid.")
    method = await resolve_payment_method(uow, buyer_id, payment_method)
    payment = await uow.payments.create(
        order_id=order.id, provider=provider, idempotency_key=key, payment_method=method,
        amount_minor=order.total_minor, currency=order.currency, now=uow.now())
    await uow.commit()
    return order, payment


async def retry_payment(transact: Transact, read: Transact, provider: PaymentProvider, *,
                        buyer_id: int,
                        order_id: int | None, payment_method: str, idempotency_key: str,
                        return_url: str) -> Charged:
    if not 1 <= len(idempotency_key.strip()) <= 200:
        raise DomainError("INVALID_INPUT", "The idempotency key must be 1 to 200 characters.",
                          ["idempotencyKey"])
    order, payment = await transact(lambda uow: _new_attempt(
        uow, buyer_id=buyer_id, order_id=order_id, payment_method=payment_method,
        idempotency_key=idempotency_key, provider=provider.name))
    if payment.status == PaymentStatus.INITIATED:
        return await _charge(transact, read, provider, order, payment, return_url)
    return await _finish(read, order.id, payment)
