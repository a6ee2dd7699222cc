"""The sweeper (domain/cart/sweeper.py) over the fake unit of work: what lapsed is given back
once, and what did not lapse is left alone."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain import events
from domain.cart.model import VariantForCart
from domain.cart.services import add_line
from domain.cart.sweeper import sweep_carts, sweep_sessions, sweep_unpaid_orders
from domain.checkout.services import Policy, start_checkout
from tests.unit.fake_orders import seed_order, seed_payment
from tests.unit.fakes import FakeUnitOfWork

VARIANT = 11
POLICY = Policy(hold_seconds=900, session_seconds=1800, tax_rates={})


async def with_carts(*buyers: int) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.carts.variants[VARIANT] = VariantForCart(VARIANT, 1000, "USD", "ACTIVE", 3, 10, 10)
    uow.inventory.put(VARIANT, 10)
    for buyer in buyers:
        await add_line(uow.port, buyer_id=buyer, variant_id=VARIANT, quantity=2,
                       hold_seconds=POLICY.hold_seconds)
    uow.outbox.events[:] = []
    return uow


async def test_lapsed_carts_expire_once_and_their_holds_come_back():
    uow = await with_carts(7, 8)
    assert await sweep_carts(uow.port) == 0  # nothing lapsed yet
    assert uow.inventory.levels[VARIANT].reserved == 4
    uow.later(POLICY.hold_seconds)
    assert await sweep_carts(uow.port) == 2
    assert {c.status for c in uow.carts.carts.values()} == {"EXPIRED"}
    level = uow.inventory.levels[VARIANT]
    assert (level.available, level.reserved) == (10, 0)
    assert uow.outbox.types() == [events.CART_EXPIRED, events.CART_EXPIRED]
    assert await sweep_carts(uow.port) == 0 and len(uow.outbox.events) == 2


async def test_a_batch_takes_the_longest_lapsed_first():
    uow = await with_carts(7)
    uow.later(60)
    await add_line(uow.port, buyer_id=8, variant_id=VARIANT, quantity=1,
                   hold_seconds=POLICY.hold_seconds)
    uow.later(POLICY.hold_seconds)
    assert await sweep_carts(uow.port, batch=1) == 1
    assert [c.buyer_id for c in uow.carts.carts.values() if c.status == "EXPIRED"] == [7]


async def test_a_lapsed_session_expires_and_its_cart_is_a_cart_again():
    uow = await with_carts(7)
    session, _ = await start_checkout(uow.port, buyer_id=7, policy=POLICY)
    assert uow.carts.carts[session.cart_id].status == "CHECKOUT"
    uow.later(POLICY.session_seconds - 1)
    assert await sweep_sessions(uow.port) == 0
    uow.later(1)
    assert await sweep_sessions(uow.port) == 1
    assert uow.checkouts.sessions[session.id].status == "EXPIRED"
    assert uow.carts.carts[session.cart_id].status == "ACTIVE"


async def test_orders_unpaid_at_their_due_time_are_cancelled_and_give_their_units_back():
    uow = FakeUnitOfWork()
    due = seed_order(uow, order_id=1)
    paid = seed_order(uow, order_id=2, status="CONFIRMED")
    attempt = seed_payment(uow, due, payment_id=50, status="REQUIRES_ACTION")
    assert await sweep_unpaid_orders(uow.port) == 0
    uow.later((due.payment_due_at - uow.now()).total_seconds())
    assert await sweep_unpaid_orders(uow.port) == 1 and uow.committed
    assert uow.orders.orders[due.id].status == "CANCELLED"
    assert uow.orders.orders[paid.id].status == "CONFIRMED"
    assert uow.payments.rows[attempt.id].status == "CANCELED"
    assert uow.inventory.levels[11].allocated == 2  # the paid order's units only
    assert await sweep_unpaid_orders(uow.port) == 0


async def test_an_order_paid_just_before_its_due_time_is_left_alone():
    uow = FakeUnitOfWork()
    order = seed_order(uow)
    uow.later(timedelta(minutes=31).total_seconds())
    uow.orders.orders[order.id] = replace(order, status="CONFIRMED")
    assert await sweep_unpaid_orders(uow.port) == 0
    assert uow.orders.orders[order.id].status == "CONFIRMED"
