"""checkoutComplete racing other requests of the same buyer (PostgreSQL is where these
interleave; SQLite serialises writers).

- A double submit (same idempotency key, concurrent requests) gives every request the same
  order; the later requests used to wait for the session's lock past the idempotency lookup and
  answer INVALID_STATE_TRANSITION.
- A cartAddLine racing checkoutComplete either lands in the order or in the buyer's next cart;
  it used to land in the cart being completed, after the order had read its lines, leaving its
  units reserved by a COMPLETED cart forever (no sweeper releases those)."""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from domain.ids import encode_id
from persistence.tables import orders, stock
from tests.support.factories import make_account, make_product
from tests.support.orders import ADD, COMPLETE, checkout


async def test_concurrent_completes_with_one_key_answer_one_order(gql: Any,
                                                                  runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    variables = {"id": sid, "input": {"paymentMethod": "pm_card_visa",
                                      "idempotencyKey": "double-submit"}}
    bodies = await asyncio.gather(*(gql(COMPLETE, variables, token=buyer.token)
                                    for _ in range(3)))
    assert [b for b in bodies if b.get("errors")] == []
    payloads = [b["data"]["checkoutComplete"] for b in bodies]
    assert [p["userErrors"] for p in payloads] == [[], [], []]
    assert len({p["order"]["number"] for p in payloads}) == 1
    assert len({p["payment"]["providerReference"] for p in payloads}) == 1
    async with runtime.db.read_engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(orders))).scalar() == 1


async def test_another_key_on_a_completed_checkout_is_still_refused(gql: Any,
                                                                    runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    first = await gql.data(COMPLETE, {"id": sid, "input": {
        "paymentMethod": "pm_card_visa", "idempotencyKey": "k-1"}}, token=buyer.token)
    assert first["checkoutComplete"]["userErrors"] == []
    again = await gql.data(COMPLETE, {"id": sid, "input": {
        "paymentMethod": "pm_card_visa", "idempotencyKey": "k-2"}}, token=buyer.token)
    assert [e["code"] for e in again["checkoutComplete"]["userErrors"]] == [
        "INVALID_STATE_TRANSITION"]


async def test_a_line_added_while_the_order_is_placed_is_never_left_held(gql: Any,
                                                                         runtime: Any) -> None:
    for attempt in range(8):
        seller = await make_account(runtime, "SELLER")
        buyer = await make_account(runtime)
        sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
        other = await make_product(runtime, seller.seller_id, prices=[100], stock_each=10)
        variables = {"id": sid, "input": {"paymentMethod": "pm_card_visa",
                                          "idempotencyKey": f"race-{attempt}"}}
        done, added = await asyncio.gather(
            gql(COMPLETE, variables, token=buyer.token),
            gql(ADD, {"v": encode_id("ProductVariant", other.variant_ids[0]), "q": 2},
                token=buyer.token))
        assert not done.get("errors") and not added.get("errors"), (done, added)
        order = done["data"]["checkoutComplete"]["order"]
        assert order is not None, done
        in_order = sum(ln["quantity"] for ln in order["lines"] if ln["sku"] == other.skus[0])
        cart = await gql.data("{ cart { lines { quantity variant { sku } } } }",
                              token=buyer.token)
        in_cart = sum(ln["quantity"] for ln in cart["cart"]["lines"]
                      if ln["variant"]["sku"] == other.skus[0])
        async with runtime.db.read_engine.connect() as conn:
            level = (await conn.execute(select(stock).where(
                stock.c.variant_id == other.variant_ids[0]))).one()
        # The two units are in exactly one place: the order or the buyer's live cart.
        assert in_order + in_cart == 2, (attempt, in_order, in_cart)
        assert (level.reserved, level.allocated) == (in_cart, in_order), (attempt, level)
