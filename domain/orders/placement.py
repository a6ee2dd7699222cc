"""Placing an order from a checkout session (checkoutComplete, first transaction).

In one transaction (docs/rules.md, Orders): validate the session and its lines, price them,
create the order (PENDING_PAYMENT, paymentDueAt in 30 minutes) with its lines at the
checkout's prices and one shipment per seller, mark the cart and the session COMPLETED, then
allocate stock (reserved -> allocated; from available should the reservation fall short;
INSUFFICIENT_STOCK otherwise) and hold the loyalty points, record OrderCreated, and create the
payment attempt. The provider is called after this commits (docs/architecture.md), with the
attempt's idempotency key.

- The same client idempotency key returns the same order and payment; the same key with
  another checkout is IDEMPOTENCY_KEY_REUSED.
- Loyalty points are taken when the order is placed (like stock, so two orders cannot spend
  the same points) and given back if it is cancelled unpaid; docs/rules.md's "spent on payment"
  is where they become final.
- A zero-total order (free items, promotions covering everything) is confirmed here, in the
  same transaction, without calling the provider: its payment record has amount 0, status
  SUCCEEDED and provider "none" (docs/rules.md "Money rules").
- The promotion use is reserved here (docs/rules.md "Money rules"): a code with no use left
  is PROMOTION_NOT_APPLICABLE and nothing is created.
- A price that changed since the buyer last saw it is PRICE_CHANGED: nothing is created and
  the new price is recorded (a second transaction), so the next attempt goes through.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain.catalog.models import ProductStatus
from domain import events
from domain.cart.model import CartStatus
from domain.checkout.sessions import CheckoutLine, CheckoutStatus
from domain.checkout.services import Policy, price_session
from domain.errors import DomainError, ErrorList, invalid, not_found
from domain.orders.event_state import state_payload
from domain.ids import decode_pk
from domain.orders.cancellation import cancel_placed_order
from domain.orders.model import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Shipment,
    ShipmentStatus,
)
from domain.payments.outcomes import confirm_paid
from domain.payments.provider import PaymentStatus
from domain.pricing import PriceBreakdown
from domain.promotions.codes import LIMIT_REASONS, no_use_left

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

PAYMENT_DUE = timedelta(minutes=30)
NO_PROVIDER = "none"  # the provider of a zero-total order's payment record
_TOKEN = re.compile(r"pm_[A-Za-z0-9_]{1,120}")


@dataclass(frozen=True)
class Placement:
    order: Order
    payment: Payment
    replay: bool
    lines: tuple[OrderLine, ...] = ()  # a new order's, as written
    shipments: tuple[Shipment, ...] = ()


def _check_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= 200:
        raise invalid("The idempotency key must be 1 to 200 characters.",
                      "input", "idempotencyKey")
    return key


async def resolve_payment_method(uow: UnitOfWork, buyer_id: int, value: str) -> str:
    """A saved payment method id of the buyer, or a provider token such as pm_card_visa."""
    value = value.strip()
    saved = decode_pk(value, "SavedPaymentMethod")
    if saved is not None:
        token = await uow.users.payment_method_token(buyer_id, saved)
        if token is None:
            raise not_found("No such saved payment method.", "input", "paymentMethod")
        return str(token)
    if not _TOKEN.fullmatch(value):
        raise invalid("Give a saved payment method id or a provider token such as "
                      "pm_card_visa.", "input", "paymentMethod")
    return value


async def _replay(uow: UnitOfWork, existing: Order, session_id: int) -> Placement:
    if existing.checkout_id != session_id:
        raise DomainError("IDEMPOTENCY_KEY_REUSED",
                          "This idempotency key was used for another checkout.",
                          ["input", "idempotencyKey"])
    attempts = await uow.payments.for_order(existing.id)
    return Placement(existing, attempts[-1], replay=True)


def _lines_ready(lines: list[CheckoutLine]) -> None:
    if not lines:
        raise DomainError("CART_EMPTY", "The cart is empty.")
    problems = [DomainError("PRODUCT_UNAVAILABLE", f"{ln.product_name} is no longer available.",
                            ["lines", str(i)]) for i, ln in enumerate(lines)
                if ln.product_status != ProductStatus.ACTIVE]
    changed = [DomainError("PRICE_CHANGED",
                           f"The price of {ln.product_name} changed; review the checkout.",
                           ["lines", str(i)], {"new": ln.unit_price_minor})
               for i, ln in enumerate(lines) if ln.unit_price_minor != ln.added_price_minor]
    if problems or changed:
        raise ErrorList(problems + changed)


async def _allocate(uow: UnitOfWork, lines: list[CheckoutLine]) -> None:
    # One statement for every line held by the cart; only a line whose hold fell short takes
    # a statement of its own (docs/rules.md, "Statement budgets of mutations").
    held = await uow.inventory.allocate_reserved_many(
        (line.variant_id, line.quantity) for line in lines)
    for i, line in enumerate(lines):
        if line.variant_id in held:
            continue
        level = await uow.inventory.allocate_available(line.variant_id, line.quantity)
        if level is None:
            raise DomainError("INSUFFICIENT_STOCK",
                              f"{line.product_name} no longer has {line.quantity} available.",
                              ["lines", str(i)])


def pricing_detail(breakdown: PriceBreakdown) -> dict[str, Any]:
    """What the order keeps of its price: discounts and per-seller figures for the ledger."""
    return {
        "discounts": [{"type": d.type, "code": d.code, "description": d.description,
                       "amount": d.amount.minor} for d in breakdown.discounts],
        "sellers": [{"seller_id": s.seller_id, "item_revenue": s.item_revenue.minor,
                     "shipping": s.shipping.minor, "tax": s.tax.minor,
                     "points": s.points_discount.minor} for s in breakdown.sellers],
        "points_minor": breakdown.points_discount.minor,
    }


async def place_order(uow: UnitOfWork, *, buyer_id: int, session_id: int | None,
                      payment_method: str, idempotency_key: str, policy: Policy,
                      provider: str) -> Placement:
    key = _check_key(idempotency_key)
    now = uow.now()
    if session_id is not None:
        existing = await uow.orders.by_idempotency_key(buyer_id, key)
        if existing is not None:
            return await _replay(uow, existing, session_id)
    session = await uow.checkouts.get(session_id, lock=True) if session_id else None
    if session is None or session.buyer_id != buyer_id:
        raise not_found("No such checkout.", "id")
    if session.status == CheckoutStatus.COMPLETED:
        # A concurrent request with the same key may have completed it while we waited for
        # the session's lock (PostgreSQL): the same key still answers the same order.
        existing = await uow.orders.by_idempotency_key(buyer_id, key)
        if existing is not None:
            return await _replay(uow, existing, session.id)
        raise DomainError("INVALID_STATE_TRANSITION", "This checkout is already completed.")
    # its 30 minutes, or the cart's holds, lapsed
    if session.shown_status(now) != CheckoutStatus.OPEN:
        raise DomainError("CHECKOUT_EXPIRED", "This checkout has expired.")
    missing = [DomainError("CHECKOUT_INCOMPLETE", f"Choose {what} first.", [field])
               for field, what, value in (("shippingAddress", "a shipping address",
                                           session.shipping_address),
                                          ("shippingMethod", "a shipping method",
                                           session.shipping_method)) if value is None]
    if missing:
        raise ErrorList(missing)
    # Lock the cart (PostgreSQL) before reading its lines: a cart mutation racing this one
    # would otherwise add or change holds that the order leaves behind in a COMPLETED cart.
    cart = await uow.carts.live_for_buyer(buyer_id)
    if cart is None or cart.id != session.cart_id:
        raise DomainError("CHECKOUT_EXPIRED", "This checkout has expired.")
    lines = await uow.checkouts.lines(session.cart_id)
    _lines_ready(lines)
    breakdown = await _price(uow, session, lines, policy)
    method = await resolve_payment_method(uow, buyer_id, payment_method)
    order = await uow.orders.create(await _order_values(uow, session, breakdown, key, now))
    order_id = order.id
    assert session.shipping_method is not None  # checked above (CHECKOUT_INCOMPLETE)
    written, shipments = await _add_lines_and_shipments(uow, order, lines, breakdown,
                                                        session.shipping_method, now)
    await uow.orders.add_history(order_id, OrderStatus.PENDING_PAYMENT, now)
    await uow.orders.mark_products_with_history([ln.variant_id for ln in lines])
    await uow.carts.set_status(session.cart_id, CartStatus.COMPLETED, now)
    await uow.checkouts.complete(session.id, now)
    # Rows other checkouts want too (stock, points, a promotion's uses) are taken last, so
    # their locks are held for the few statements left before COMMIT (docs/architecture.md,
    # "checkoutComplete under load"); a refusal still rolls everything back.
    await _allocate(uow, lines)
    if not await uow.loyalty.spend(buyer_id, breakdown.points_used, order_id, now):
        raise DomainError("INSUFFICIENT_POINTS", "Your points balance changed; review the "
                          "checkout.", ["input", "loyaltyPointsToUse"])
    if breakdown.promotion_code:  # reserve its use (a conditional update, like stock)
        refused = await uow.promotions.reserve_use(breakdown.promotion_code, buyer_id,
                                                   order_id, now)
        if refused:
            raise no_use_left(breakdown.promotion_code, refused)
    await uow.outbox.add(events.ORDER_CREATED, "Order", order_id, {
        "orderId": order_id, "number": order.number, "buyerId": buyer_id,
        "total": order.total_minor, "currency": order.currency,
        "sellerIds": sorted({ln.seller_id for ln in lines}),
        "state": state_payload(order, shipments=shipments)}, now)
    free = order.total_minor == 0
    payment = await uow.payments.create(
        order_id=order_id, provider=NO_PROVIDER if free else provider,
        idempotency_key=f"{order.number}:1:{key}", payment_method=method,
        amount_minor=order.total_minor, currency=order.currency, now=now)
    if free:  # nothing to charge: confirmed now, the provider is never asked
        await uow.payments.update(payment.id, now, status=PaymentStatus.SUCCEEDED)
        payment = replace(payment, status=PaymentStatus.SUCCEEDED)
        await confirm_paid(uow, order, payment, now)
    await uow.commit()
    return Placement(order, payment, replay=False, lines=tuple(written),
                     shipments=tuple(shipments))


async def _price(uow: UnitOfWork, session: Any, lines: list[CheckoutLine],
                 policy: Policy) -> PriceBreakdown:
    """The session's price; a code whose uses are all held is PROMOTION_NOT_APPLICABLE here,
    however the count was seen (before pricing, or by the reservation itself)."""
    try:
        breakdown, _, _ = await price_session(uow, session, lines, policy)
    except DomainError as error:
        reason = error.data.get("reason") if error.data else None
        if error.code == "PROMOTION_INVALID" and reason in LIMIT_REASONS:
            raise no_use_left(str(error.data["code"]), str(reason)) from error
        raise
    return breakdown


async def _order_values(uow: UnitOfWork, session: Any, breakdown: PriceBreakdown, key: str,
                        now: datetime) -> dict[str, Any]:
    number = await uow.orders.next_number(now.year)
    from domain.orders.model import order_number

    return {
        "number": order_number(now.year, number), "buyer_id": session.buyer_id,
        "checkout_id": session.id, "cart_id": session.cart_id,
        "status": OrderStatus.PENDING_PAYMENT,
        "currency": breakdown.currency, "subtotal_minor": breakdown.subtotal.minor,
        "discount_total_minor": breakdown.discount_total.minor,
        "shipping_minor": breakdown.shipping.minor, "tax_minor": breakdown.tax.minor,
        "total_minor": breakdown.total.minor, "pricing_detail": pricing_detail(breakdown),
        "promotion_code": breakdown.promotion_code,
        "loyalty_points_used": breakdown.points_used,
        "loyalty_points_earned": breakdown.points_earned,
        "shipping_address": _address(session.shipping_address),
        "billing_address": _address(session.billing_address),
        "shipping_method": session.shipping_method, "notes": session.notes,
        "idempotency_key": key, "payment_due_at": now + PAYMENT_DUE, "created_at": now,
        "updated_at": now,
    }


def _address(snapshot: Any) -> dict[str, Any] | None:
    if snapshot is None:
        return None
    return {"address_id": snapshot.address_id, **asdict(snapshot.fields)}


async def _add_lines_and_shipments(
        uow: UnitOfWork, order: Order, lines: list[CheckoutLine], breakdown: PriceBreakdown,
        method: str, now: datetime) -> tuple[list[OrderLine], list[Shipment]]:
    priced = {p.key: p for p in breakdown.lines}
    written = await uow.orders.add_lines([{
        "order_id": order.id, "variant_id": ln.variant_id, "seller_id": ln.seller_id,
        "sku": ln.sku, "product_name": ln.product_name, "quantity": ln.quantity,
        "unit_price_minor": ln.unit_price_minor,
        "discount_minor": priced[ln.line_id].tier_discount.minor
        + priced[ln.line_id].promotion_discount.minor,
        "points_minor": priced[ln.line_id].points_discount.minor,
        "tax_minor": priced[ln.line_id].tax.minor,
    } for ln in lines], order.currency)
    days = breakdown.shipping_method.estimated_days if breakdown.shipping_method else 5
    return written, await uow.orders.add_shipments([{
        "order_id": order.id, "seller_id": s.seller_id, "status": ShipmentStatus.PENDING,
        "shipping_minor": s.shipping.minor, "estimated_delivery": now + timedelta(days=days),
        "created_at": now, "updated_at": now,
    } for s in breakdown.sellers])


async def record_seen_prices(uow: UnitOfWork, *, buyer_id: int, session_id: int) -> None:
    """After PRICE_CHANGED: the checkout now shows the new prices, so record them as seen
    (the next checkoutComplete is priced and accepted at them)."""
    session = await uow.checkouts.get(session_id)
    if session is None or session.buyer_id != buyer_id:
        return
    lines = await uow.checkouts.lines(session.cart_id)
    await uow.carts.reprice_lines({ln.line_id: ln.unit_price_minor for ln in lines
                                   if ln.unit_price_minor != ln.added_price_minor})
    await uow.commit()


async def release_unpaid(uow: UnitOfWork, order: Order, now: datetime) -> bool:
    """Cancel an unpaid order at paymentDueAt (domain.orders.cancellation: allocation, shipments,
    open attempts, held points and promotion use given back). Conditional on the order still
    being PENDING_PAYMENT (so a payment that just succeeded wins). Does not commit. A payment
    that still succeeds afterwards is refunded automatically (domain.payments.outcomes)."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        return False
    return await cancel_placed_order(uow, order, reason="payment not received in time",
                                     now=now) is not None
