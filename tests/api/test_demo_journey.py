"""The seed's shape end to end: the demo buyer signs in, holds 2 x Wireless Headphones
(249.99), checks out to the default California address with SUMMER2024 and 500 points."""
from __future__ import annotations

from typing import Any

from ops.seed import seed_demo

LOGIN = """mutation { login(email: "buyer@example.com", password: "buyer-password") {
  token userErrors { code } } }"""
VARIANT = """{ variant(sku: "HEAD-001") { id price { amount } } }"""
ADD = """mutation($v: ID!) { cartAddLine(input: {variantId: $v, quantity: 2}) {
  cart { subtotal { amount } } userErrors { code } } }"""
START = """mutation { checkoutStart { checkout { id shippingAddress { region }
  loyalty { points tier } } userErrors { code } } }"""
UPDATE = """mutation($id: ID!) { checkoutUpdate(id: $id, input: {promotionCodes: ["SUMMER2024"],
  loyaltyPointsToUse: 500, shippingMethodCode: "STANDARD"}) {
  checkout { pricing { subtotal { amount } discountTotal { amount } shipping { amount }
             tax { amount } total { amount } } }
  userErrors { code message } } }"""


async def test_demo_buyer_checks_out_headphones(settings: Any, fast_hasher: Any,
                                                gql: Any) -> None:
    await seed_demo(settings, password_hasher=fast_hasher, quiet=True)
    token = (await gql.data(LOGIN))["login"]["token"]
    variant = (await gql.data(VARIANT))["variant"]
    assert variant["price"]["amount"] == "249.99"
    added = (await gql.data(ADD, {"v": variant["id"]}, token=token))["cartAddLine"]
    assert added["userErrors"] == [] and added["cart"]["subtotal"]["amount"] == "499.98"
    started = (await gql.data(START, token=token))["checkoutStart"]
    assert started["userErrors"] == []
    assert started["checkout"]["shippingAddress"]["region"] == "CA"
    assert started["checkout"]["loyalty"] == {"points": 800, "tier": "BRONZE"}
    priced = (await gql.data(UPDATE, {"id": started["checkout"]["id"]}, token=token))
    assert priced["checkoutUpdate"]["userErrors"] == []
    assert priced["checkoutUpdate"]["checkout"]["pricing"] == {
        "subtotal": {"amount": "499.98"}, "discountTotal": {"amount": "105.00"},
        "shipping": {"amount": "0.00"}, "tax": {"amount": "28.64"},
        "total": {"amount": "423.62"}}
