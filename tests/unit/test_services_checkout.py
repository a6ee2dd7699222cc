"""Starting and updating a checkout (domain/checkout/services.py) over the fake unit of work."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain import events
from domain.cart.model import VariantForCart
from domain.cart.services import add_line
from domain.checkout.services import CheckoutChanges, Policy, start_checkout, update_checkout
from domain.errors import DomainError, ErrorList
from tests.unit.fakes import FakeUnitOfWork

BUYER, VARIANT = 7, 11
POLICY = Policy(hold_seconds=900, session_seconds=1800, tax_rates={})


async def with_cart(quantity: int = 2) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.carts.variants[VARIANT] = VariantForCart(VARIANT, 1000, "USD", "ACTIVE", 3, 10, 10)
    uow.inventory.put(VARIANT, 10)
    await add_line(uow.port, buyer_id=BUYER, variant_id=VARIANT, quantity=quantity,
                   hold_seconds=POLICY.hold_seconds)
    uow.committed = False
    return uow


async def test_starting_opens_a_session_and_moves_the_cart_to_checkout():
    uow = await with_cart()
    session, warnings = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    assert uow.committed and warnings == []
    assert (session.status, session.shipping_method) == ("OPEN", "STANDARD")
    assert session.expires_at == uow.now() + timedelta(seconds=POLICY.session_seconds)
    cart = uow.carts.carts[session.cart_id]
    assert cart.status == "CHECKOUT"
    assert uow.outbox.types().count(events.CHECKOUT_STARTED) == 1


async def test_starting_again_refreshes_the_same_session():
    uow = await with_cart()
    first, _ = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    uow.later(60)
    again, _ = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    assert again.id == first.id
    assert again.expires_at == uow.now() + timedelta(seconds=POLICY.session_seconds)
    assert uow.outbox.types().count(events.CHECKOUT_STARTED) == 1


async def test_an_empty_or_missing_cart_cannot_start_a_checkout():
    uow = FakeUnitOfWork()
    with pytest.raises(DomainError) as empty:
        await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    assert empty.value.code == "CART_EMPTY"
    assert not uow.committed


async def test_a_lapsed_cart_cannot_start_a_checkout():
    uow = await with_cart()
    uow.later(POLICY.hold_seconds + 1)
    with pytest.raises(DomainError) as lapsed:
        await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    assert lapsed.value.code == "CART_EXPIRED"


async def test_a_price_change_is_reported_and_becomes_the_seen_price():
    uow = await with_cart()
    uow.carts.variants[VARIANT] = VariantForCart(VARIANT, 1200, "USD", "ACTIVE", 3, 10, 8)
    _, warnings = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    assert [w.code for w in warnings] == ["PRICE_CHANGED"]
    [line] = uow.carts.lines.values()
    assert line.unit_price_minor == 1200


async def test_an_unlisted_product_stops_the_checkout():
    uow = await with_cart()
    uow.carts.variants[VARIANT] = VariantForCart(VARIANT, 1000, "USD", "ARCHIVED", 3, 10, 8)
    with pytest.raises(ErrorList) as refused:
        await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    assert [e.code for e in refused.value.errors] == ["PRODUCT_UNAVAILABLE"]
    assert not uow.committed


async def test_update_saves_the_chosen_method_and_notes():
    uow = await with_cart()
    session, _ = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    saved = await update_checkout(
        uow.port, buyer_id=BUYER, session_id=session.id, policy=POLICY,
        changes=CheckoutChanges(shipping_method=" express ", notes="ring twice",
                                notes_given=True))
    stored = uow.checkouts.sessions[session.id]
    assert (saved.shipping_method, stored.shipping_method, stored.notes) == (
        "EXPRESS", "EXPRESS", "ring twice")


@pytest.mark.parametrize("changes, field", [
    (CheckoutChanges(shipping_method="teleport"), "shippingMethodCode"),
    (CheckoutChanges(loyalty_points=-1), "loyaltyPointsToUse"),
    (CheckoutChanges(notes="x" * 2001, notes_given=True), "notes"),
])
async def test_update_refuses_bad_choices_and_keeps_the_session(changes, field):
    uow = await with_cart()
    session, _ = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    uow.committed = False
    with pytest.raises(DomainError) as refused:
        await update_checkout(uow.port, buyer_id=BUYER, session_id=session.id,
                              changes=changes, policy=POLICY)
    assert (refused.value.code, refused.value.field[-1]) == ("INVALID_INPUT", field)
    assert uow.checkouts.sessions[session.id] == session
    assert not uow.committed


async def test_another_buyers_session_is_not_found_and_an_expired_one_is_expired():
    uow = await with_cart()
    session, _ = await start_checkout(uow.port, buyer_id=BUYER, policy=POLICY)
    with pytest.raises(DomainError) as missing:
        await update_checkout(uow.port, buyer_id=BUYER + 1, session_id=session.id,
                              changes=CheckoutChanges(), policy=POLICY)
    assert missing.value.code == "NOT_FOUND"
    uow.later(POLICY.session_seconds + 1)
    with pytest.raises(DomainError) as expired:
        await update_checkout(uow.port, buyer_id=BUYER, session_id=session.id,
                              changes=CheckoutChanges(), policy=POLICY)
    assert expired.value.code == "CHECKOUT_EXPIRED"
