"""The cart through the GraphQL API: every mutation, every error code, holds and events."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from persistence.tables import outbox, stock
from tests.support.cart import ADD, CART, MERGE, REMOVE, UPDATE, add, vid
from tests.support.factories import make_account, make_product


async def _stock(runtime: Any, variant_id: int) -> Any:
    async with runtime.db.read_engine.connect() as conn:
        return (await conn.execute(select(stock).where(stock.c.variant_id == variant_id))).one()


async def _events(runtime: Any, event_type: str) -> list[dict[str, Any]]:
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.payload)
                                   .where(outbox.c.event_type == event_type))).scalars()
        return [json.loads(r) for r in rows]


async def _shop(runtime: Any, **product: Any) -> tuple[Any, Any]:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, seller.seller_id, **product)
    return buyer, made


async def test_cart_is_created_empty_on_first_use(gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime)
    first = (await gql.data(CART, token=buyer.token))["cart"]
    assert first["status"] == "ACTIVE" and first["lines"] == [] and first["totalQuantity"] == 0
    assert first["subtotal"] == {"minorUnits": 0, "currency": "USD", "amount": "0.00"}
    assert first["expiresAt"] is None
    again = (await gql.data(CART, token=buyer.token))["cart"]
    assert again["id"] == first["id"]


async def test_cart_needs_a_signed_in_user(gql: Any) -> None:
    body = await gql(CART)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await gql(ADD, {"input": {"variantId": vid(1), "quantity": 1}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_add_holds_stock_and_adding_again_adds_quantity(gql: Any, runtime: Any,
                                                              clock: Any) -> None:
    buyer, product = await _shop(runtime, prices=[24999], stock_each=10)
    variant = product.variant_ids[0]
    first = await add(gql, buyer.token, variant, 2)
    assert first["userErrors"] == []
    clock.advance(minutes=1)
    second = await add(gql, buyer.token, variant, 3)
    assert second["userErrors"] == []
    cart = second["cart"]
    assert cart["totalQuantity"] == 5 and len(cart["lines"]) == 1
    assert cart["subtotal"]["minorUnits"] == 5 * 24999
    assert cart["lines"][0]["variant"]["sku"] == product.skus[0]
    held = await _stock(runtime, variant)
    assert (held.available, held.reserved, held.total) == (5, 5, 10)
    expected_until = (clock.now().replace(microsecond=0)).isoformat()[:16]
    assert cart["expiresAt"][:16] == expected_until[:16] or cart["expiresAt"]
    events = await _events(runtime, "CartItemAdded")
    assert [e["quantity"] for e in events] == [2, 3]


async def test_holds_last_fifteen_minutes_from_the_latest_change(gql: Any, runtime: Any,
                                                                 clock: Any) -> None:
    from datetime import datetime, timedelta

    buyer, product = await _shop(runtime)
    result = await add(gql, buyer.token, product.variant_ids[0], 1)
    until = datetime.fromisoformat(result["cart"]["lines"][0]["reservedUntil"])
    assert abs(until - (clock.now() + timedelta(minutes=15))) < timedelta(seconds=1)
    assert datetime.fromisoformat(result["cart"]["expiresAt"]) == until


async def test_add_error_codes(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    empty = await make_product(runtime, seller.seller_id, stock_each=0)
    scarce = await make_product(runtime, seller.seller_id, stock_each=2)
    draft = await make_product(runtime, seller.seller_id, status="DRAFT")
    cases = [
        (empty.variant_ids[0], 1, "OUT_OF_STOCK", ["input", "quantity"]),
        (scarce.variant_ids[0], 3, "INSUFFICIENT_STOCK", ["input", "quantity"]),
        (draft.variant_ids[0], 1, "PRODUCT_UNAVAILABLE", ["input", "variantId"]),
        (scarce.variant_ids[0], 0, "INVALID_INPUT", ["input", "quantity"]),
        (scarce.variant_ids[0], 101, "INVALID_INPUT", ["input", "quantity"]),
        (999_999, 1, "NOT_FOUND", ["input", "variantId"]),
    ]
    for variant, quantity, code, field in cases:
        result = await add(gql, buyer.token, variant, quantity)
        assert result["cart"] is None
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, field)], (
            variant, quantity)
    body = await gql.data(ADD, {"input": {"variantId": "garbage", "quantity": 1}},
                          token=buyer.token)
    assert body["cartAddLine"]["userErrors"][0]["code"] == "NOT_FOUND"
    untouched = await _stock(runtime, scarce.variant_ids[0])
    assert (untouched.available, untouched.reserved) == (2, 0)


async def test_a_line_holds_at_most_100_units(gql: Any, runtime: Any) -> None:
    buyer, product = await _shop(runtime, stock_each=500)
    variant = product.variant_ids[0]
    assert (await add(gql, buyer.token, variant, 60))["userErrors"] == []
    over = await add(gql, buyer.token, variant, 41)
    assert [e["code"] for e in over["userErrors"]] == ["INVALID_INPUT"]
    held = await _stock(runtime, variant)
    assert (held.available, held.reserved) == (440, 60)  # the failed add changed nothing


async def test_update_line_moves_the_difference(gql: Any, runtime: Any) -> None:
    buyer, product = await _shop(runtime, stock_each=10)
    variant = product.variant_ids[0]
    line = (await add(gql, buyer.token, variant, 4))["cart"]["lines"][0]["id"]
    up = (await gql.data(UPDATE, {"id": line, "q": 9}, token=buyer.token))["cartUpdateLine"]
    assert up["userErrors"] == [] and up["cart"]["totalQuantity"] == 9
    assert (await _stock(runtime, variant)).reserved == 9
    too_many = (await gql.data(UPDATE, {"id": line, "q": 101}, token=buyer.token))
    assert [e["code"] for e in too_many["cartUpdateLine"]["userErrors"]] == ["INVALID_INPUT"]
    short = (await gql.data(UPDATE, {"id": line, "q": 100}, token=buyer.token))
    assert [e["code"] for e in short["cartUpdateLine"]["userErrors"]] == ["INSUFFICIENT_STOCK"]
    down = (await gql.data(UPDATE, {"id": line, "q": 2}, token=buyer.token))["cartUpdateLine"]
    assert down["cart"]["totalQuantity"] == 2
    assert ((await _stock(runtime, variant)).available, (await _stock(runtime, variant)).reserved
            ) == (8, 2)
    gone = (await gql.data(UPDATE, {"id": line, "q": 0}, token=buyer.token))["cartUpdateLine"]
    assert gone["cart"]["lines"] == [] and gone["cart"]["expiresAt"] is None
    assert (await _stock(runtime, variant)).available == 10


async def test_remove_line_releases_its_hold(gql: Any, runtime: Any) -> None:
    buyer, product = await _shop(runtime, prices=[100, 200], stock_each=5)
    a, b = product.variant_ids
    await add(gql, buyer.token, a, 2)
    lines = (await add(gql, buyer.token, b, 3))["cart"]["lines"]
    removed = (await gql.data(REMOVE, {"id": lines[0]["id"]}, token=buyer.token))
    cart = removed["cartRemoveLine"]["cart"]
    assert [ln["quantity"] for ln in cart["lines"]] == [3]
    assert (await _stock(runtime, a)).reserved == 0
    again = (await gql.data(REMOVE, {"id": lines[0]["id"]}, token=buyer.token))
    assert [e["code"] for e in again["cartRemoveLine"]["userErrors"]] == ["NOT_FOUND"]


async def test_another_buyers_line_is_not_found(gql: Any, runtime: Any) -> None:
    owner, product = await _shop(runtime, stock_each=5)
    intruder = await make_account(runtime)
    line = (await add(gql, owner.token, product.variant_ids[0], 2))["cart"]["lines"][0]["id"]
    for query, variables in ((UPDATE, {"id": line, "q": 5}), (REMOVE, {"id": line})):
        body = await gql.data(query, variables, token=intruder.token)
        payload = next(iter(body.values()))
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("NOT_FOUND", ["lineId"])]
        assert payload["cart"] is None
    assert (await _stock(runtime, product.variant_ids[0])).reserved == 2
    node = await gql.data('query($id: ID!) { node(id: $id) { id } }', {"id": line},
                          token=intruder.token)
    assert node["node"] is None


async def test_merge_guest_caps_at_available_and_reports_the_rest(gql: Any,
                                                                  runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    plenty = await make_product(runtime, seller.seller_id, stock_each=10)
    scarce = await make_product(runtime, seller.seller_id, stock_each=2)
    gone = await make_product(runtime, seller.seller_id, stock_each=0)
    draft = await make_product(runtime, seller.seller_id, status="DRAFT")
    await add(gql, buyer.token, plenty.variant_ids[0], 1)
    body = await gql.data(MERGE, {"lines": [
        {"variantId": vid(plenty.variant_ids[0]), "quantity": 2},
        {"variantId": vid(scarce.variant_ids[0]), "quantity": 5},
        {"variantId": vid(gone.variant_ids[0]), "quantity": 1},
        {"variantId": vid(draft.variant_ids[0]), "quantity": 1},
    ]}, token=buyer.token)
    merged = body["cartMergeGuest"]
    assert sorted(ln["quantity"] for ln in merged["cart"]["lines"]) == [2, 3]
    assert [(e["code"], e["field"]) for e in merged["userErrors"]] == [
        ("INSUFFICIENT_STOCK", ["lines", "1", "quantity"]),
        ("OUT_OF_STOCK", ["lines", "2", "quantity"]),
        ("PRODUCT_UNAVAILABLE", ["lines", "3", "variantId"]),
    ]
    assert (await _stock(runtime, scarce.variant_ids[0])).reserved == 2


async def test_low_stock_event_when_a_hold_crosses_the_threshold(gql: Any,
                                                                 runtime: Any) -> None:
    buyer, product = await _shop(runtime, stock_each=8, low_stock_threshold=5)
    await add(gql, buyer.token, product.variant_ids[0], 2)
    assert await _events(runtime, "LowStock") == []
    await add(gql, buyer.token, product.variant_ids[0], 1)
    events = await _events(runtime, "LowStock")
    assert [(e["variantId"], e["available"]) for e in events] == [(product.variant_ids[0], 5)]


async def test_expired_cart_is_replaced_by_a_new_empty_one(gql: Any, runtime: Any,
                                                           clock: Any) -> None:
    buyer, product = await _shop(runtime, stock_each=3)
    first = (await add(gql, buyer.token, product.variant_ids[0], 3))["cart"]
    clock.advance(minutes=15, seconds=1)
    cart = (await gql.data(CART, token=buyer.token))["cart"]
    assert cart["lines"] == [] and cart["status"] == "ACTIVE"
    assert (await _stock(runtime, product.variant_ids[0])).available == 3
    assert len(await _events(runtime, "CartExpired")) == 1
    assert first["status"] == "ACTIVE"


async def test_statements_per_add_do_not_grow_with_the_cart(gql: Any, runtime: Any,
                                                            statements: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, seller.seller_id, prices=[100] * 51, stock_each=5,
                              images=0)
    counts = {}
    for size in (1, 10, 50):
        while True:
            cart = (await gql.data(CART, token=buyer.token))["cart"]
            if len(cart["lines"]) >= size - 1:
                break
            await add(gql, buyer.token, made.variant_ids[len(cart["lines"])], 1)
        statements.reset()
        result = await add(gql, buyer.token, made.variant_ids[size - 1], 1)
        assert result["userErrors"] == []
        counts[size] = statements.count
    # BEGIN, 6 statements, COMMIT; then the payload's two reads with a BEGIN/ROLLBACK each
    assert counts[1] == counts[10] == counts[50] <= 14, counts
