"""Cart use cases (domain/cart/services.py) over the fake unit of work: holds move stock
available -> reserved and back, the quantity rules, and nothing committed on a refusal."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain import events
from domain.cart.model import VariantForCart
from domain.cart.services import add_line, current_cart, remove_line, update_line
from domain.errors import DomainError
from tests.unit.fakes import FakeUnitOfWork

BUYER, VARIANT, HOLD = 7, 11, 900


def shop(total: int = 5, *, status: str = "ACTIVE", currency: str = "USD",
         threshold: int = 0) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.carts.variants[VARIANT] = VariantForCart(
        variant_id=VARIANT, price_minor=1250, currency=currency, product_status=status,
        seller_id=3, total=total, available=total)
    uow.inventory.put(VARIANT, total, threshold=threshold)
    return uow


async def add(uow: FakeUnitOfWork, quantity: int, variant_id: int | None = VARIANT):
    return await add_line(uow.port, buyer_id=BUYER, variant_id=variant_id, quantity=quantity,
                          hold_seconds=HOLD)


async def test_adding_holds_the_units_and_commits():
    uow = shop(5)
    cart = await add(uow, 2)
    assert uow.committed
    [line] = uow.carts.lines_of(cart.id)
    assert (line.variant_id, line.quantity, line.unit_price_minor) == (VARIANT, 2, 1250)
    level = uow.inventory.levels[VARIANT]
    assert (level.available, level.reserved) == (3, 2)
    assert cart.expires_at == uow.now() + timedelta(seconds=HOLD)
    assert events.CART_ITEM_ADDED in uow.outbox.types()


async def test_adding_the_same_variant_again_grows_the_line():
    uow = shop(5)
    await add(uow, 2)
    cart = await add(uow, 1)
    [line] = uow.carts.lines_of(cart.id)
    assert line.quantity == 3
    assert uow.inventory.levels[VARIANT].reserved == 3


async def test_more_than_available_is_refused_and_nothing_is_committed():
    uow = shop(1)
    with pytest.raises(DomainError) as refused:
        await add(uow, 2)
    assert refused.value.code == "INSUFFICIENT_STOCK"
    assert not uow.committed


async def test_out_of_stock_when_no_unit_exists():
    uow = shop(0)
    with pytest.raises(DomainError) as refused:
        await add(uow, 1)
    assert refused.value.code == "OUT_OF_STOCK"
    assert not uow.committed


@pytest.mark.parametrize("quantity", [0, -1, 101])
async def test_quantity_outside_1_to_100_is_invalid(quantity):
    uow = shop(5)
    with pytest.raises(DomainError) as refused:
        await add(uow, quantity)
    assert refused.value.code == "INVALID_INPUT"
    assert uow.inventory.levels[VARIANT].reserved == 0


async def test_unknown_variant_and_unlisted_product_are_refused():
    uow = shop(5, status="DRAFT")
    with pytest.raises(DomainError) as unavailable:
        await add(uow, 1)
    assert unavailable.value.code == "PRODUCT_UNAVAILABLE"
    with pytest.raises(DomainError) as missing:
        await add(uow, 1, variant_id=None)
    assert missing.value.code == "NOT_FOUND"
    assert not uow.committed


async def test_crossing_the_low_stock_threshold_records_low_stock_once():
    uow = shop(5, threshold=3)
    await add(uow, 1)
    assert events.LOW_STOCK not in uow.outbox.types()
    await add(uow, 1)
    assert uow.outbox.types().count(events.LOW_STOCK) == 1
    await add(uow, 1)
    assert uow.outbox.types().count(events.LOW_STOCK) == 1


async def test_update_moves_the_difference_in_held_stock():
    uow = shop(5)
    cart = await add(uow, 2)
    [line] = uow.carts.lines_of(cart.id)
    await update_line(uow.port, buyer_id=BUYER, line_id=line.id, quantity=4, hold_seconds=HOLD)
    assert uow.carts.lines[line.id].quantity == 4
    assert uow.inventory.levels[VARIANT].reserved == 4
    await update_line(uow.port, buyer_id=BUYER, line_id=line.id, quantity=1, hold_seconds=HOLD)
    level = uow.inventory.levels[VARIANT]
    assert (uow.carts.lines[line.id].quantity, level.available, level.reserved) == (1, 4, 1)


async def test_update_to_zero_removes_the_line_and_its_hold():
    uow = shop(5)
    cart = await add(uow, 2)
    [line] = uow.carts.lines_of(cart.id)
    after = await update_line(uow.port, buyer_id=BUYER, line_id=line.id, quantity=0,
                              hold_seconds=HOLD)
    assert uow.carts.lines_of(cart.id) == []
    assert uow.inventory.levels[VARIANT].reserved == 0
    assert after.expires_at is None  # an empty cart holds nothing, so it cannot lapse


async def test_update_of_a_line_of_another_cart_is_not_found():
    uow = shop(5)
    cart = await add(uow, 2)
    [line] = uow.carts.lines_of(cart.id)
    uow.committed = False
    with pytest.raises(DomainError) as missing:
        await update_line(uow.port, buyer_id=BUYER + 1, line_id=line.id, quantity=1,
                          hold_seconds=HOLD)
    assert missing.value.code == "NOT_FOUND"
    assert uow.carts.lines[line.id].quantity == 2
    assert not uow.committed


async def test_remove_gives_the_units_back():
    uow = shop(5)
    cart = await add(uow, 3)
    [line] = uow.carts.lines_of(cart.id)
    await remove_line(uow.port, buyer_id=BUYER, line_id=line.id, hold_seconds=HOLD)
    level = uow.inventory.levels[VARIANT]
    assert (level.available, level.reserved) == (5, 0)
    with pytest.raises(DomainError) as missing:
        await remove_line(uow.port, buyer_id=BUYER, line_id=line.id, hold_seconds=HOLD)
    assert missing.value.code == "NOT_FOUND"


async def test_a_lapsed_cart_is_expired_and_its_holds_released_on_next_use():
    uow = shop(5)
    first = await add(uow, 2)
    uow.later(HOLD + 1)
    second = await current_cart(uow.port, buyer_id=BUYER)
    assert second.id != first.id
    assert uow.carts.carts[first.id].status == "EXPIRED"
    assert uow.inventory.levels[VARIANT].reserved == 0
    assert uow.checkouts.expired_for_carts == [first.id]
    assert events.CART_EXPIRED in uow.outbox.types()


async def test_a_cart_keeps_one_currency_while_it_has_lines():
    uow = shop(5)
    await add(uow, 1)
    uow.carts.variants[12] = VariantForCart(12, 900, "EUR", "ACTIVE", 3, 5, 5)
    uow.inventory.put(12, 5)
    with pytest.raises(DomainError) as refused:
        await add(uow, 1, variant_id=12)
    assert refused.value.code == "INVALID_INPUT"
    assert uow.inventory.levels[12].reserved == 0
