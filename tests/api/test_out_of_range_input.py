"""Out-of-range values a client can put in opaque IDs, cursors and DateTime inputs are
answered as unknown / invalid input, never as an INTERNAL fault."""
from __future__ import annotations

import base64
import json
from typing import Any

from domain.ids import decode_id, encode_id
from tests.support.client import without_cost
from tests.support.factories import make_account, make_product

NODE = "query($id: ID!) { node(id: $id) { id } }"
NODE_TYPES = ("Product", "ProductVariant", "Category", "Seller", "User", "Address",
              "SavedPaymentMethod", "Cart", "CartLine", "CheckoutSession")
HUGE = 10**20


def _cursor(ordering: str, keys: list[Any]) -> str:
    raw = json.dumps({"o": ordering, "k": keys}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_ids_beyond_the_integer_key_range_are_not_ours() -> None:
    assert decode_id(encode_id("Product", 2**31 - 1)) == ("Product", 2**31 - 1)
    assert decode_id(encode_id("Product", 2**31)) is None
    assert decode_id(encode_id("Product", HUGE)) is None


async def test_node_with_an_out_of_range_pk_is_null_not_a_fault(gql: Any,
                                                                  runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    for type_name in NODE_TYPES:
        for token in (None, admin.token):
            body = await gql(NODE, {"id": encode_id(type_name, HUGE)}, token=token)
            assert without_cost(body) == {"data": {"node": None}}, (type_name, body)


async def test_cart_mutations_with_an_out_of_range_pk_answer_not_found(gql: Any,
                                                                       runtime: Any) -> None:
    buyer = await make_account(runtime)
    add = await gql("""mutation($v: ID!) { cartAddLine(input: {variantId: $v, quantity: 1}) {
      userErrors { code field } } }""", {"v": encode_id("ProductVariant", HUGE)},
                    token=buyer.token)
    assert without_cost(add) == {"data": {"cartAddLine": {"userErrors": [
        {"code": "NOT_FOUND", "field": ["input", "variantId"]}]}}}
    update = await gql("""mutation($id: ID!) { cartUpdateLine(lineId: $id, quantity: 2) {
      userErrors { code field } } }""", {"id": encode_id("CartLine", HUGE)}, token=buyer.token)
    assert without_cost(update) == {"data": {"cartUpdateLine": {"userErrors": [
        {"code": "NOT_FOUND", "field": ["lineId"]}]}}}


async def test_a_cursor_with_out_of_range_keys_is_an_invalid_cursor(gql: Any,
                                                                    runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id)
    query = """query($a: String, $s: ProductSort) { products(first: 5, after: $a, sort: $s) {
      edges { cursor } } }"""
    for sort, keys in (("PRICE_ASC", [HUGE, 1]), ("PRICE_ASC", [1, -HUGE]),
                       ("NEWEST", ["2026-01-01T00:00:00+00:00", HUGE])):
        body = await gql(query, {"a": _cursor(sort, keys), "s": sort})
        assert body["data"] is None, body
        assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_CURSOR"], body


async def test_promotion_dates_without_an_offset_are_invalid_input(gql: Any,
                                                                   runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    create = """mutation($s: DateTime, $e: DateTime) { promotionCreate(input: {code: "WINTER",
      description: "Winter", kind: PERCENT, value: 10, startsAt: $s, endsAt: $e}) {
      promotion { code } userErrors { code field } } }"""
    for starts, ends, fields in (
            ("2026-01-01T00:00:00", "2027-01-01T00:00:00+00:00", [["input", "startsAt"]]),
            ("2026-01-01T00:00:00", None, [["input", "startsAt"]]),
            (None, "2027-01-01T00:00:00", [["input", "endsAt"]])):
        body = await gql(create, {"s": starts, "e": ends}, token=admin.token)
        assert not body.get("errors"), body
        payload = body["data"]["promotionCreate"]
        assert payload["promotion"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("INVALID_INPUT", f) for f in fields]
    ok = await gql(create, {"s": "2026-01-01T00:00:00+01:00", "e": "2027-01-01T00:00:00Z"},
                   token=admin.token)
    assert ok["data"]["promotionCreate"] == {"promotion": {"code": "WINTER"},
                                             "userErrors": []}
