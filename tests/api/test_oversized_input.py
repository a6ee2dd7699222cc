"""Inputs whose size or magnitude the database cannot take are refused as INVALID_INPUT
before anything changes (they used to fail the statement on PostgreSQL, commit a total that
GraphQL's Int cannot show on SQLite, or hold the write lock for seconds)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.cart.services import MAX_GUEST_LINES
from domain.ids import encode_id
from persistence.tables import cart_lines, stock
from tests.support.factories import make_account, make_product

SET = """mutation($v: ID!, $t: Int!) { inventorySet(variantId: $v, total: $t) {
  inventory { total available } userErrors { code field } } }"""
ADJUST = """mutation($v: ID!, $d: Int!) { inventoryAdjust(variantId: $v, delta: $d) {
  inventory { total available } userErrors { code field } } }"""
MERGE = """mutation($lines: [CartLineInput!]!) { cartMergeGuest(lines: $lines) {
  cart { totalQuantity } userErrors { code field } } }"""
INT_MAX = 2**31 - 1


async def _total(runtime: Any, variant_id: int) -> int:
    async with runtime.db.read_engine.connect() as conn:
        return int((await conn.execute(select(stock.c.total).where(
            stock.c.variant_id == variant_id))).scalar_one())


async def test_inventory_adjust_above_the_integer_range_is_invalid_input(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, stock_each=10)
    variant = encode_id("ProductVariant", product.variant_ids[0])
    top = await gql.data(SET, {"v": variant, "t": INT_MAX}, token=seller.token)
    assert top["inventorySet"] == {"inventory": {"total": INT_MAX, "available": INT_MAX},
                                   "userErrors": []}
    body = await gql(ADJUST, {"v": variant, "d": 10}, token=seller.token)
    assert not body.get("errors"), body
    assert body["data"]["inventoryAdjust"] == {
        "inventory": None, "userErrors": [{"code": "INVALID_INPUT", "field": ["delta"]}]}
    assert await _total(runtime, product.variant_ids[0]) == INT_MAX  # nothing changed
    down = await gql.data(ADJUST, {"v": variant, "d": -INT_MAX}, token=seller.token)
    assert down["inventoryAdjust"] == {"inventory": {"total": 0, "available": 0},
                                       "userErrors": []}


async def test_merge_guest_refuses_more_lines_than_the_limit_and_changes_nothing(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    product = await make_product(runtime, seller.seller_id, prices=[100], stock_each=1000)
    line = {"variantId": encode_id("ProductVariant", product.variant_ids[0]), "quantity": 1}
    body = await gql(MERGE, {"lines": [line] * (MAX_GUEST_LINES + 1)}, token=buyer.token)
    assert not body.get("errors"), body
    assert body["data"]["cartMergeGuest"] == {
        "cart": None, "userErrors": [{"code": "INVALID_INPUT", "field": ["lines"]}]}
    async with runtime.db.read_engine.connect() as conn:
        assert (await conn.execute(select(cart_lines))).all() == []
    ok = await gql.data(MERGE, {"lines": [line] * MAX_GUEST_LINES}, token=buyer.token)
    assert ok["cartMergeGuest"] == {"cart": {"totalQuantity": MAX_GUEST_LINES},
                                    "userErrors": []}
