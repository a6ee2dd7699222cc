"""Cart holds through the use cases: expiry with an injected clock, and a property test of
random add/update/remove/expire sequences across several buyers."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from domain.errors import DomainError
from tests.support.cart_harness import CartHarness
from tests.support.database import truncate_all
from tests.support.factories import make_account, make_product


async def test_holds_lapse_after_15_minutes_untouched(runtime: Any, clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    product = await make_product(runtime, seller.seller_id, stock_each=5)
    variant = product.variant_ids[0]
    carts = CartHarness(runtime)
    assert not isinstance(await carts.add(buyer.user_id, variant, 3), DomainError)
    assert (await carts.stock_rows())[variant].reserved == 3

    clock.advance(minutes=14, seconds=59)
    assert await carts.sweep() == 0
    assert (await carts.stock_rows())[variant].available == 2

    clock.advance(seconds=1)
    assert await carts.sweep() == 1
    row = (await carts.stock_rows())[variant]
    assert (row.available, row.reserved) == (5, 0)
    assert await carts.lines_of(buyer.user_id) == []
    await carts.check_invariants()


async def test_touching_the_cart_extends_every_hold(runtime: Any, clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    product = await make_product(runtime, seller.seller_id, prices=[500, 700], stock_each=5)
    a, b = product.variant_ids
    carts = CartHarness(runtime)
    await carts.add(buyer.user_id, a, 1)
    clock.advance(minutes=10)
    await carts.add(buyer.user_id, b, 1)  # touches the cart: line a is held 15 more minutes
    clock.advance(minutes=10)
    assert await carts.sweep() == 0
    assert (await carts.stock_rows())[a].reserved == 1
    clock.advance(minutes=5)
    assert await carts.sweep() == 1
    assert (await carts.stock_rows())[a].reserved == 0


async def test_a_lapsed_cart_is_expired_when_next_touched(runtime: Any, clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    product = await make_product(runtime, seller.seller_id, stock_each=4)
    variant = product.variant_ids[0]
    carts = CartHarness(runtime)
    await carts.add(buyer.user_id, variant, 4)
    clock.advance(minutes=16)  # no sweep ran: the next mutation expires the old cart first
    result = await carts.add(buyer.user_id, variant, 2)
    assert not isinstance(result, DomainError), result
    assert [ln.quantity for ln in await carts.lines_of(buyer.user_id)] == [2]
    row = (await carts.stock_rows())[variant]
    assert (row.available, row.reserved) == (2, 2)
    await carts.check_invariants()


OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "update", "remove", "expire"]),
        st.integers(0, 2),    # buyer
        st.integers(0, 1),    # variant (add) / line index (update, remove)
        st.integers(-1, 8),   # quantity
    ),
    min_size=1, max_size=25,
)


@hyp_settings(max_examples=30, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
@given(ops=OPS)
async def test_random_cart_operations_keep_stock_consistent(
        ops: list[tuple[str, int, int, int]], runtime: Any, clock: Any,
        clean_db: str) -> None:
    await truncate_all(clean_db)
    seller = await make_account(runtime, "SELLER")
    buyers = [await make_account(runtime) for _ in range(3)]
    product = await make_product(runtime, seller.seller_id, prices=[300, 400],
                                 stock_each=[6, 3])
    carts = CartHarness(runtime)
    for op, who, which, quantity in ops:
        buyer = buyers[who].user_id
        if op == "add":
            await carts.add(buyer, product.variant_ids[which], quantity)
        elif op in ("update", "remove"):
            lines = await carts.lines_of(buyer)
            line_id = lines[which].id if which < len(lines) else 10**6
            if op == "update":
                await carts.update(buyer, line_id, max(quantity, 0))
            else:
                await carts.remove(buyer, line_id)
        else:
            clock.advance(minutes=16)
            await carts.sweep()
        await carts.check_invariants()
    rows = await carts.stock_rows()
    assert [rows[v].total for v in product.variant_ids] == [6, 3]
