"""Placing an order from a checkout session (checkoutComplete's first transaction,
domain/orders/placement.py) over the fake unit of work: stock, points, promotion use, cart and
session, outbox and payment as one committed change, or nothing at all."""
from __future__ import annotations

from dataclasses import replace

import pytest

from domain import events
from domain.errors import DomainError, ErrorList
from domain.orders.placement import Placement, place_order
from domain.promotions.codes import Promotion, PromotionKind
from tests.unit.fake_scenarios import BUYER, POLICY, SELLER, VARIANT, in_checkout
from tests.unit.fakes import FakeUnitOfWork

async def place(uow: FakeUnitOfWork, session_id: int, key: str = "key-1",
                method: str = "pm_card_visa") -> Placement:
    return await place_order(uow.port, buyer_id=BUYER, session_id=session_id,
                             payment_method=method, idempotency_key=key, policy=POLICY,
                             provider="fake")


async def test_placing_allocates_the_held_units_and_completes_cart_and_session():
    uow, session_id = await in_checkout()
    placed = await place(uow, session_id)
    assert uow.committed and not placed.replay
    order = uow.orders.orders[placed.order.id]
    assert (order.status, order.buyer_id, order.subtotal_minor) == ("PENDING_PAYMENT", BUYER, 2000)
    assert order.total_minor == 2000 + order.shipping_minor and order.shipping_minor > 0
    assert order.number == "ORD-2026-000001"
    level = uow.inventory.levels[VARIANT]
    assert (level.available, level.reserved, level.allocated) == (8, 0, 2)
    session = uow.checkouts.sessions[session_id]
    assert session.status == "COMPLETED"
    assert uow.carts.carts[session.cart_id].status == "COMPLETED"
    [line] = uow.orders.order_lines[order.id]
    assert (line.variant_id, line.quantity, line.seller_id) == (VARIANT, 2, SELLER)
    [shipment] = uow.shipments.rows.values()
    assert (shipment.seller_id, shipment.status) == (SELLER, "PENDING")
    assert uow.orders.with_history == {VARIANT}
    assert uow.outbox.types() == [events.ORDER_CREATED]
    payment = uow.payments.rows[placed.payment.id]
    assert (payment.status, payment.amount_minor, payment.provider) == (
        "INITIATED", order.total_minor, "fake")


async def test_the_same_key_answers_the_same_order_and_another_checkout_is_refused():
    uow, session_id = await in_checkout()
    first = await place(uow, session_id)
    again = await place(uow, session_id)
    assert again.replay and again.order.id == first.order.id
    assert len(uow.orders.orders) == 1 and len(uow.payments.rows) == 1
    with pytest.raises(DomainError) as refused:
        await place_order(uow.port, buyer_id=BUYER, session_id=session_id + 1,
                          payment_method="pm_card_visa", idempotency_key="key-1",
                          policy=POLICY, provider="fake")
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"


async def test_a_completed_session_with_a_new_key_is_refused():
    uow, session_id = await in_checkout()
    await place(uow, session_id)
    with pytest.raises(DomainError) as refused:
        await place(uow, session_id, key="key-2")
    assert refused.value.code == "INVALID_STATE_TRANSITION"


async def test_a_lapsed_session_is_checkout_expired_and_nothing_is_committed():
    uow, session_id = await in_checkout()
    uow.later(POLICY.session_seconds + 1)
    with pytest.raises(DomainError) as refused:
        await place(uow, session_id)
    assert refused.value.code == "CHECKOUT_EXPIRED"
    assert not uow.committed and uow.orders.orders == {}


async def test_an_unlisted_product_or_a_changed_price_stops_the_order():
    uow, session_id = await in_checkout()
    variant = uow.carts.variants[VARIANT]
    uow.carts.variants[VARIANT] = replace(variant, product_status="ARCHIVED", price_minor=1200)
    with pytest.raises(ErrorList) as refused:
        await place(uow, session_id)
    assert [e.code for e in refused.value.errors] == ["PRODUCT_UNAVAILABLE", "PRICE_CHANGED"]
    assert not uow.committed and uow.orders.orders == {}


async def test_units_gone_from_stock_are_insufficient_stock():
    uow, session_id = await in_checkout()
    level = uow.inventory.levels[VARIANT]
    uow.inventory.levels[VARIANT] = replace(level, reserved=0, available=1, total=1)
    with pytest.raises(DomainError) as refused:
        await place(uow, session_id)
    assert refused.value.code == "INSUFFICIENT_STOCK"
    assert not uow.committed


@pytest.mark.parametrize("method", ["card", "", "pm_"])
async def test_a_payment_method_that_is_not_a_token_is_invalid(method: str):
    uow, session_id = await in_checkout()
    with pytest.raises(DomainError) as refused:
        await place(uow, session_id, method=method)
    assert refused.value.code == "INVALID_INPUT"


async def test_points_are_spent_and_a_code_use_is_reserved_with_the_order():
    uow, session_id = await in_checkout()
    uow.loyalty.moves.append((BUYER, 500, "EARN", 0))
    uow.promotions.rows["TEN"] = Promotion("TEN", PromotionKind.PERCENT, 10, usage_limit=1)
    session = uow.checkouts.sessions[session_id]
    uow.checkouts.sessions[session_id] = session.with_choices(promotion_code="TEN",
                                                              loyalty_points=200)
    placed = await place(uow, session_id)
    order = uow.orders.orders[placed.order.id]
    assert (order.promotion_code, order.loyalty_points_used) == ("TEN", 200)
    assert uow.loyalty.balance(BUYER) == 300
    assert uow.promotions.uses == {order.id: ("TEN", BUYER)}
    # 10 % of 20.00, then 200 points = 2.00
    assert order.discount_total_minor == 200 + 200
    assert order.total_minor == 2000 - 400 + order.shipping_minor


async def test_a_code_whose_uses_are_all_taken_stops_the_order():
    uow, session_id = await in_checkout()
    uow.promotions.rows["ONCE"] = Promotion("ONCE", PromotionKind.PERCENT, 10, usage_limit=1,
                                            times_used=1)
    session = uow.checkouts.sessions[session_id]
    uow.checkouts.sessions[session_id] = session.with_choices(promotion_code="ONCE")
    with pytest.raises(DomainError) as refused:
        await place(uow, session_id)
    assert refused.value.code == "PROMOTION_NOT_APPLICABLE"
    assert not uow.committed
