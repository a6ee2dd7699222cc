"""A cart takes the currency of its first line, and everything that shows or prices
the cart (the mutation payloads, cartMergeGuest, the checkout session) follows it."""
from __future__ import annotations

from typing import Any

from domain.ids import encode_id
from tests.support.factories import make_account, make_product

ADD = """mutation($v: ID!, $q: Int!) { cartAddLine(input: {variantId: $v, quantity: $q}) {
  cart { subtotal { currency minorUnits } lines { id unitPrice { currency } } }
  userErrors { code field message } } }"""
REMOVE = """mutation($id: ID!) { cartRemoveLine(lineId: $id) { userErrors { code } } }"""
MERGE = """mutation($lines: [CartLineInput!]!) { cartMergeGuest(lines: $lines) {
  cart { expiresAt lines { quantity } subtotal { currency minorUnits } }
  userErrors { code field message } } }"""
START = """mutation { checkoutStart { checkout { id pricing { total { currency } } }
  userErrors { code field message } } }"""
GET = """query($id: ID!) { checkout(id: $id) { id status
  pricing { subtotal { currency minorUnits } } } }"""
UPDATE = """mutation($id: ID!) { checkoutUpdate(id: $id, input: {notes: "ring twice"}) {
  checkout { notes pricing { subtotal { currency minorUnits } } }
  userErrors { code field message } } }"""
CART = "{ cart { expiresAt subtotal { currency minorUnits } } }"


def vid(pk: int) -> str:
    return encode_id("ProductVariant", pk)


async def test_add_line_payload_shows_the_currency_the_first_line_gave_the_cart(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    eur = await make_product(runtime, seller.seller_id, prices=[2000], currency="EUR")
    body = await gql.data(ADD, {"v": vid(eur.variant_ids[0]), "q": 1}, token=buyer.token)
    payload = body["cartAddLine"]
    assert payload["userErrors"] == []
    assert payload["cart"]["subtotal"] == {"currency": "EUR", "minorUnits": 2000}
    again = await gql.data(CART, token=buyer.token)
    assert again["cart"]["subtotal"] == {"currency": "EUR", "minorUnits": 2000}


async def test_merge_guest_into_an_empty_cart_takes_the_guest_lines_currency(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    eur = await make_product(runtime, seller.seller_id, prices=[2000, 500], currency="EUR")
    lines = [{"variantId": vid(v), "quantity": 2} for v in eur.variant_ids]
    body = await gql.data(MERGE, {"lines": lines}, token=buyer.token)
    payload = body["cartMergeGuest"]
    assert payload["userErrors"] == []
    assert [ln["quantity"] for ln in payload["cart"]["lines"]] == [2, 2]
    assert payload["cart"]["subtotal"] == {"currency": "EUR", "minorUnits": 5000}


async def test_merge_guest_still_refuses_another_currency_than_the_cart_holds(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    usd = await make_product(runtime, seller.seller_id, prices=[1000])
    eur = await make_product(runtime, seller.seller_id, prices=[2000], currency="EUR")
    lines = [{"variantId": vid(usd.variant_ids[0]), "quantity": 1},
             {"variantId": vid(eur.variant_ids[0]), "quantity": 1}]
    payload = (await gql.data(MERGE, {"lines": lines}, token=buyer.token))["cartMergeGuest"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["lines", "1", "variantId"])]
    assert payload["cart"]["subtotal"] == {"currency": "USD", "minorUnits": 1000}


async def test_merge_guest_that_holds_nothing_answers_a_cart_that_never_lapses(
        gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime)
    lines = [{"variantId": vid(999_999), "quantity": 1}]
    payload = (await gql.data(MERGE, {"lines": lines}, token=buyer.token))["cartMergeGuest"]
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert payload["cart"]["lines"] == []
    assert payload["cart"]["expiresAt"] is None  # as the stored cart (and the cart query) say
    assert (await gql.data(CART, token=buyer.token))["cart"]["expiresAt"] is None


async def test_checkout_reprices_in_the_new_currency_after_the_cart_changed_currency(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    usd = await make_product(runtime, seller.seller_id, prices=[1000])
    eur = await make_product(runtime, seller.seller_id, prices=[2000], currency="EUR")
    added = await gql.data(ADD, {"v": vid(usd.variant_ids[0]), "q": 1}, token=buyer.token)
    line = added["cartAddLine"]["cart"]["lines"][0]["id"]
    started = (await gql.data(START, token=buyer.token))["checkoutStart"]
    session = started["checkout"]["id"]
    # The cart stays changeable in CHECKOUT: empty it, then fill it with EUR items.
    assert (await gql.data(REMOVE, {"id": line}, token=buyer.token))[
        "cartRemoveLine"]["userErrors"] == []
    assert (await gql.data(ADD, {"v": vid(eur.variant_ids[0]), "q": 1}, token=buyer.token))[
        "cartAddLine"]["userErrors"] == []

    body = await gql(GET, {"id": session}, token=buyer.token)
    assert not body.get("errors"), body["errors"]
    assert body["data"]["checkout"]["pricing"]["subtotal"] == {"currency": "EUR",
                                                               "minorUnits": 2000}
    updated = (await gql.data(UPDATE, {"id": session}, token=buyer.token))["checkoutUpdate"]
    assert updated["userErrors"] == []
    assert updated["checkout"]["pricing"]["subtotal"]["currency"] == "EUR"
    restarted = (await gql.data(START, token=buyer.token))["checkoutStart"]
    assert restarted["userErrors"] == []
    assert restarted["checkout"]["id"] == session
    assert restarted["checkout"]["pricing"]["total"]["currency"] == "EUR"
