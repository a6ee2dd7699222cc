"""Checkout sessions through the GraphQL API: start, update, every error code, expiry, and
the worked pricing example of the seed's shape."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from domain.ids import encode_id
from persistence.tables import carts, outbox, variants
from tests.support.factories import (
    give_points,
    make_account,
    make_product,
    make_promotion,
    reissue,
)

PRICING = ("pricing { subtotal { minorUnits } "
           "discounts { type code description amount { minorUnits } } "
           "discountTotal { minorUnits } shipping { minorUnits } tax { minorUnits } "
           "total { minorUnits amount currency } }")
SESSION = f"""id status expiresAt promotionCodes loyaltyPointsToUse notes
  lines {{ quantity unitPrice {{ minorUnits }} variant {{ sku }} }}
  shippingAddress {{ id city region country }} billingAddress {{ city }}
  shippingMethod {{ code price {{ minorUnits }} }}
  availableShippingMethods {{ code name price {{ minorUnits }} estimatedDeliveryDays }}
  availablePromotions {{ code applicable discount {{ minorUnits }} }}
  loyalty {{ points tier pointsValue {{ amount }} freeShipping tierDiscountPercent }}
  {PRICING}"""
START = (f"mutation {{ checkoutStart {{ checkout {{ {SESSION} }} "
         "userErrors { code field message } } }")
UPDATE = f"""mutation($id: ID!, $input: CheckoutUpdateInput!) {{
  checkoutUpdate(id: $id, input: $input) {{
  checkout {{ {SESSION} }} userErrors {{ code field message }} }} }}"""
GET = f"query($id: ID!) {{ checkout(id: $id) {{ {SESSION} }} }}"
ADD = """mutation($v: ID!, $q: Int!) { cartAddLine(input: {variantId: $v, quantity: $q}) {
  userErrors { code } } }"""
CA = {"fullName": "Ada Buyer", "line1": "1 Market St", "city": "San Francisco",
      "region": "CA", "postalCode": "94105", "country": "US"}


async def _ready(gql: Any, runtime: Any, *, prices: list[int] | None = None,
                 quantity: int = 1, stock_each: int = 10) -> tuple[Any, Any, Any]:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    product = await make_product(runtime, seller.seller_id, prices=prices or [2500],
                                 stock_each=stock_each, name="Wireless Headphones")
    for variant in product.variant_ids:
        body = await gql.data(ADD, {"v": encode_id("ProductVariant", variant), "q": quantity},
                              token=buyer.token)
        assert body["cartAddLine"]["userErrors"] == []
    return seller, buyer, product


async def start(gql: Any, token: str) -> dict[str, Any]:
    return (await gql.data(START, token=token))["checkoutStart"]  # type: ignore[no-any-return]


async def change(gql: Any, token: str, session_id: str, **input: Any) -> dict[str, Any]:
    body = await gql.data(UPDATE, {"id": session_id, "input": input}, token=token)
    return body["checkoutUpdate"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_empty_cart_cannot_start(gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime)
    result = await start(gql, buyer.token)
    assert codes(result) == ["CART_EMPTY"] and result["checkout"] is None


async def test_start_opens_a_session_and_moves_the_cart_to_checkout(gql: Any, runtime: Any,
                                                                    clock: Any) -> None:
    _, buyer, product = await _ready(gql, runtime, prices=[2500], quantity=2)
    result = await start(gql, buyer.token)
    assert result["userErrors"] == []
    session = result["checkout"]
    assert session["status"] == "OPEN"
    assert [ln["quantity"] for ln in session["lines"]] == [2]
    assert session["shippingMethod"]["code"] == "STANDARD"
    assert session["pricing"]["subtotal"]["minorUnits"] == 5000
    # 50.00 of items reaches the free-shipping threshold
    assert session["pricing"]["shipping"]["minorUnits"] == 0
    assert session["pricing"]["total"]["minorUnits"] == 5000  # no address yet: no tax
    cart = (await gql.data("{ cart { status } }", token=buyer.token))["cart"]
    assert cart["status"] == "CHECKOUT"
    again = await start(gql, buyer.token)
    assert again["checkout"]["id"] == session["id"]
    async with runtime.db.read_engine.connect() as conn:
        started = (await conn.execute(select(outbox.c.payload).where(
            outbox.c.event_type == "CheckoutStarted"))).scalars().all()
    assert len(started) == 1 and json.loads(started[0])["lines"] == 1


async def test_price_change_is_applied_and_reported(gql: Any, runtime: Any) -> None:
    _, buyer, product = await _ready(gql, runtime, prices=[2500])
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(update(variants).where(variants.c.id == product.variant_ids[0])
                           .values(price_minor=2700))
    result = await start(gql, buyer.token)
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("PRICE_CHANGED", ["lines", "0"])]
    assert result["checkout"]["status"] == "OPEN"
    assert result["checkout"]["pricing"]["subtotal"]["minorUnits"] == 2700
    assert codes(await start(gql, buyer.token)) == []  # the new price is now the known one


async def test_unavailable_product_blocks_the_start(gql: Any, runtime: Any) -> None:
    from persistence.tables import products

    _, buyer, product = await _ready(gql, runtime)
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(update(products).where(products.c.id == product.id)
                           .values(status="ARCHIVED"))
    result = await start(gql, buyer.token)
    assert codes(result) == ["PRODUCT_UNAVAILABLE"] and result["checkout"] is None
    cart = (await gql.data("{ cart { status } }", token=buyer.token))["cart"]
    assert cart["status"] == "ACTIVE"


async def test_worked_example_headphones_summer2024_points_to_california(
        gql: Any, runtime: Any) -> None:
    """2 x 249.99, SUMMER2024 (20%), 500 points, STANDARD to CA, BRONZE buyer:
    subtotal 499.98; promotion 20% = 99.996 -> 100.00 (half-even at the cent); points 5.00;
    items after discounts 394.98; STANDARD free (399.98 >= 50.00 before points);
    tax 7.25% of 394.98 = 28.63605 -> 28.64; total 394.98 + 0 + 28.64 = 423.62."""
    seller, buyer, product = await _ready(gql, runtime, prices=[24999], quantity=2)
    admin = await make_account(runtime, "ADMIN")
    await make_promotion(runtime, "SUMMER2024", value=20, created_by=admin.user_id,
                         description="Summer sale: 20% off")
    await give_points(runtime, buyer.user_id, 500)
    session = (await start(gql, buyer.token))["checkout"]
    result = await change(gql, buyer.token, session["id"], shippingAddress=CA,
                          shippingMethodCode="STANDARD", promotionCodes=["summer2024"],
                          loyaltyPointsToUse=500)
    assert result["userErrors"] == []
    checkout = result["checkout"]
    pricing = checkout["pricing"]
    assert pricing["subtotal"]["minorUnits"] == 49998
    assert [(d["type"], d["code"], d["amount"]["minorUnits"]) for d in pricing["discounts"]] == [
        ("PROMOTION", "SUMMER2024", 10000), ("LOYALTY_POINTS", None, 500)]
    assert pricing["discountTotal"]["minorUnits"] == 10500
    assert pricing["shipping"]["minorUnits"] == 0
    assert pricing["tax"]["minorUnits"] == 2864
    assert pricing["total"] == {"minorUnits": 42362, "amount": "423.62", "currency": "USD"}
    assert checkout["promotionCodes"] == ["SUMMER2024"]
    assert checkout["loyaltyPointsToUse"] == 500
    assert checkout["loyalty"] == {"points": 500, "tier": "BRONZE",
                                   "pointsValue": {"amount": "5.00"}, "freeShipping": False,
                                   "tierDiscountPercent": 0}
    assert checkout["shippingAddress"]["region"] == "CA"
    express = {m["code"]: m for m in checkout["availableShippingMethods"]}["EXPRESS"]
    assert express == {"code": "EXPRESS", "name": "Express shipping",
                       "price": {"minorUnits": 1499}, "estimatedDeliveryDays": 2}
    summer = {p["code"]: p for p in checkout["availablePromotions"]}["SUMMER2024"]
    assert summer == {"code": "SUMMER2024", "applicable": True, "discount": {"minorUnits": 10000}}
    # the same figures on a plain read
    again = (await gql.data(GET, {"id": session["id"]}, token=buyer.token))["checkout"]
    assert again["pricing"] == pricing


async def test_update_error_codes_change_nothing(gql: Any, runtime: Any) -> None:
    seller, buyer, product = await _ready(gql, runtime, prices=[2000])
    admin = await make_account(runtime, "ADMIN")
    await make_promotion(runtime, "BIGSPEND", value=10, created_by=admin.user_id,
                         min_subtotal_minor=100_000)
    await make_promotion(runtime, "OLD", value=10, created_by=admin.user_id,
                         ends_at=runtime.clock.now().replace(year=2020))
    await give_points(runtime, buyer.user_id, 5000, earned_days_ago=400)  # BRONZE
    session = (await start(gql, buyer.token))["checkout"]
    sid = session["id"]
    cases = [
        ({"promotionCodes": ["NOPE"]}, "PROMOTION_INVALID", ["input", "promotionCodes"]),
        ({"promotionCodes": ["OLD"]}, "PROMOTION_INVALID", ["input", "promotionCodes"]),
        ({"promotionCodes": ["BIGSPEND"]}, "PROMOTION_NOT_APPLICABLE",
         ["input", "promotionCodes"]),
        ({"promotionCodes": ["A1X", "B2Y"]}, "INVALID_INPUT", ["input", "promotionCodes"]),
        ({"loyaltyPointsToUse": 6000}, "INSUFFICIENT_POINTS", ["input", "loyaltyPointsToUse"]),
        ({"loyaltyPointsToUse": 1001}, "INVALID_INPUT", ["input", "loyaltyPointsToUse"]),
        ({"loyaltyPointsToUse": -1}, "INVALID_INPUT", ["input", "loyaltyPointsToUse"]),
        ({"shippingMethodCode": "TELEPORT"}, "INVALID_INPUT", ["input", "shippingMethodCode"]),
        ({"shippingAddressId": encode_id("Address", 999)}, "NOT_FOUND",
         ["input", "shippingAddressId"]),
        ({"shippingAddress": {**CA, "country": "USA"}}, "INVALID_INPUT",
         ["input", "shippingAddress", "country"]),
        ({"notes": "x" * 2001}, "INVALID_INPUT", ["input", "notes"]),
    ]
    for input, code, field in cases:
        result = await change(gql, buyer.token, sid, shippingMethodCode="EXPRESS", **input) \
            if "shippingMethodCode" not in input else await change(gql, buyer.token, sid,
                                                                    **input)
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, field)], input
        assert result["checkout"] is None
    over_cap = await change(gql, buyer.token, sid, loyaltyPointsToUse=1001)
    assert "1000" in over_cap["userErrors"][0]["message"]  # names the maximum
    unchanged = (await gql.data(GET, {"id": sid}, token=buyer.token))["checkout"]
    assert unchanged["shippingMethod"]["code"] == "STANDARD"  # EXPRESS never saved
    assert unchanged["promotionCodes"] == [] and unchanged["loyaltyPointsToUse"] == 0


async def test_another_buyers_checkout_is_not_found(gql: Any, runtime: Any) -> None:
    _, owner, _ = await _ready(gql, runtime)
    intruder = await make_account(runtime)
    sid = (await start(gql, owner.token))["checkout"]["id"]
    result = await change(gql, intruder.token, sid, notes="mine now")
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("NOT_FOUND", ["id"])]
    assert (await gql.data(GET, {"id": sid}, token=intruder.token))["checkout"] is None
    assert (await gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": sid},
                           token=intruder.token))["node"] is None


async def test_expired_session_answers_checkout_expired(gql: Any, runtime: Any,
                                                        clock: Any) -> None:
    _, buyer, _ = await _ready(gql, runtime)
    sid = (await start(gql, buyer.token))["checkout"]["id"]
    clock.advance(minutes=15, seconds=1)  # the cart's holds lapse first
    result = await change(gql, buyer.token, sid, notes="too late")
    assert codes(result) == ["CHECKOUT_EXPIRED"]
    shown = (await gql.data(GET, {"id": sid}, token=buyer.token))["checkout"]
    assert shown["status"] == "EXPIRED"


async def test_session_lasts_thirty_minutes_while_the_cart_is_touched(
        gql: Any, runtime: Any, clock: Any) -> None:
    from ops.sweep import sweep_all

    _, buyer, _ = await _ready(gql, runtime)
    sid = (await start(gql, buyer.token))["checkout"]["id"]
    for _ in range(2):
        clock.advance(minutes=10)
        reissue(runtime, buyer)
        assert codes(await change(gql, buyer.token, sid, notes="still here")) == []
    clock.advance(minutes=10, seconds=1)  # 30 min since start; holds still live (10 min old)
    reissue(runtime, buyer)
    report = await sweep_all(runtime.transaction)
    assert report.sessions_expired == 1 and report.carts_expired == 0
    assert codes(await change(gql, buyer.token, sid, notes="x")) == ["CHECKOUT_EXPIRED"]
    cart = (await gql.data("{ cart { status totalQuantity } }", token=buyer.token))["cart"]
    assert cart == {"status": "ACTIVE", "totalQuantity": 1}


async def test_client_sent_prices_are_refused_and_change_nothing(gql: Any, runtime: Any
                                                                 ) -> None:
    _, buyer, product = await _ready(gql, runtime, prices=[2500])
    sid = (await start(gql, buyer.token))["checkout"]["id"]
    body = await gql(UPDATE, {"id": sid, "input": {"notes": "hi", "total": 1,
                                                    "pricing": {"total": 1}}},
                     token=buyer.token)
    assert body.get("data") is None and body["errors"]
    tampered = await gql(ADD, {"v": encode_id("ProductVariant", product.variant_ids[0]),
                               "q": 1, "unitPrice": 1}, token=buyer.token)
    assert tampered["data"]["cartAddLine"]["userErrors"] == []  # unknown variables are unused
    shown = (await gql.data(GET, {"id": sid}, token=buyer.token))["checkout"]
    assert shown["notes"] is None
    assert shown["pricing"]["subtotal"]["minorUnits"] == 2 * 2500  # server price, 2 units


async def test_tier_benefits_apply(gql: Any, runtime: Any) -> None:
    _, buyer, _ = await _ready(gql, runtime, prices=[2000])
    await give_points(runtime, buyer.user_id, 6000)  # GOLD: 5% off, free shipping
    sid = (await start(gql, buyer.token))["checkout"]["id"]
    result = await change(gql, buyer.token, sid, shippingMethodCode="EXPRESS",
                          shippingAddress={**CA, "region": "NY", "city": "New York"})
    pricing = result["checkout"]["pricing"]
    assert [(d["type"], d["amount"]["minorUnits"]) for d in pricing["discounts"]] == [
        ("TIER", 100)]
    assert pricing["shipping"]["minorUnits"] == 0
    # NY 8.875% of 19.00 = 1.68625 -> 1.69
    assert pricing["tax"]["minorUnits"] == 169
    assert pricing["total"]["minorUnits"] == 1900 + 169
    assert result["checkout"]["loyalty"]["tier"] == "GOLD"


async def test_cart_changes_during_checkout_reprice_the_session(gql: Any, runtime: Any
                                                                ) -> None:
    _, buyer, product = await _ready(gql, runtime, prices=[1000])
    sid = (await start(gql, buyer.token))["checkout"]["id"]
    await gql.data(ADD, {"v": encode_id("ProductVariant", product.variant_ids[0]), "q": 2},
                   token=buyer.token)
    shown = (await gql.data(GET, {"id": sid}, token=buyer.token))["checkout"]
    assert shown["pricing"]["subtotal"]["minorUnits"] == 3000
    assert shown["pricing"]["shipping"]["minorUnits"] == 599  # below 50.00: STANDARD paid
    async with runtime.db.read_engine.connect() as conn:
        status = (await conn.execute(select(carts.c.status))).scalar_one()
    assert status == "CHECKOUT"


async def test_me_shows_the_loyalty_account(gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime)
    other = await make_account(runtime)
    await give_points(runtime, buyer.user_id, 1200)
    query = ("{ me { loyalty { points tier freeShipping tierDiscountPercent "
             "pointsValue { amount } } } }")
    me = (await gql.data(query, token=buyer.token))["me"]
    assert me["loyalty"] == {"points": 1200, "tier": "SILVER", "freeShipping": True,
                             "tierDiscountPercent": 0, "pointsValue": {"amount": "12.00"}}
    node = await gql.data(
        'query($id: ID!) { node(id: $id) { ... on User { loyalty { points } } } }',
                          {"id": encode_id("User", buyer.user_id)}, token=other.token)
    assert node["node"] is None


async def test_seller_codes_discount_only_that_sellers_lines(gql: Any, runtime: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    c = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    for seller, price in ((a, 4000), (b, 6000)):
        made = await make_product(runtime, seller.seller_id, prices=[price])
        await gql.data(ADD, {"v": encode_id("ProductVariant", made.variant_ids[0]), "q": 1},
                       token=buyer.token)
    await make_promotion(runtime, "ATEN", value=10, created_by=a.user_id, seller_id=a.seller_id)
    await make_promotion(runtime, "CTEN", value=10, created_by=c.user_id, seller_id=c.seller_id)
    sid = (await start(gql, buyer.token))["checkout"]["id"]
    applied = await change(gql, buyer.token, sid, promotionCodes=["ATEN"])
    discounts = applied["checkout"]["pricing"]["discounts"]
    assert [(d["code"], d["amount"]["minorUnits"]) for d in discounts] == [("ATEN", 400)]
    offered = {p["code"] for p in applied["checkout"]["availablePromotions"]}
    assert "ATEN" in offered and "CTEN" not in offered
    refused = await change(gql, buyer.token, sid, promotionCodes=["CTEN"])
    assert codes(refused) == ["PROMOTION_NOT_APPLICABLE"]
    cleared = await change(gql, buyer.token, sid, promotionCodes=[])
    assert cleared["checkout"]["promotionCodes"] == []
