"""checkoutComplete through the API with the offline provider (Stripe's test payment methods):
orders, stock allocation, payments, webhooks, retries, the ledger and who sees what."""
from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select, update

from domain.ids import encode_id
from persistence.tables import carts, outbox, promotions, variants
from adapters.payments.stripe_objects import sign_payload
from tests.support.factories import (
    give_points,
    make_account,
    make_product,
    make_promotion,
    reissue,
)
from tests.support.orders import (
    ADD,
    CA,
    GET,
    RETRY,
    START,
    UPDATE,
    checkout,
    complete,
    ledger_balances,
    stock_level,
)


async def _event_types(runtime: Any) -> list[str]:
    async with runtime.db.read_engine.connect() as conn:
        return list((await conn.execute(select(outbox.c.event_type)
                                        .order_by(outbox.c.id))).scalars())


async def test_paid_order_allocates_stock_and_books_the_money(gql: Any, runtime: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    await make_promotion(runtime, "SUMMER2024", value=20, created_by=admin.user_id)
    await give_points(runtime, buyer.user_id, 500, earned_days_ago=400)
    sid, made = await checkout(gql, runtime, buyer, [(a, 24999), (b, 1999)], quantity=1,
                                promotionCodes=["SUMMER2024"], loyaltyPointsToUse=500)
    result = await complete(gql, buyer.token, sid)
    assert result["userErrors"] == []
    order = result["order"]
    assert re.fullmatch(r"ORD-\d{4}-\d{6}", order["number"])
    assert order["status"] == "CONFIRMED" and order["confirmedAt"]
    assert order["paymentDueAt"] is None
    assert [h["status"] for h in order["statusHistory"]] == ["PENDING_PAYMENT", "CONFIRMED"]
    assert result["payment"]["status"] == "SUCCEEDED"
    assert result["payment"]["providerReference"].startswith("pi_")
    assert result["payment"]["clientSecret"]
    pricing = order["pricing"]
    # 269.98 - 20% (54.00 after half-even of 53.996) - 5.00 points; free STANDARD; CA 7.25%
    assert pricing["subtotal"]["minorUnits"] == 26998
    assert pricing["discountTotal"]["minorUnits"] == 5400 + 500
    assert pricing["shipping"]["minorUnits"] == 0
    assert pricing["total"]["minorUnits"] == 26998 - 5900 + pricing["tax"]["minorUnits"]
    assert order["loyaltyPointsUsed"] == 500
    assert sorted(s["seller"]["id"] for s in order["shipments"]) == sorted(
        encode_id("Seller", s.seller_id) for s in (a, b))
    assert {s["status"] for s in order["shipments"]} == {"PENDING"}
    for product in made:
        level = await stock_level(runtime, product.variant_ids[0])
        assert (level.available, level.reserved, level.allocated) == (9, 0, 1)
    balances = await ledger_balances(runtime)
    assert balances["PAYMENT_CLEARING"] == 0
    assert balances["BUYER_EXTERNAL"] == -pricing["total"]["minorUnits"]
    assert balances["TAX_PAYABLE"] == pricing["tax"]["minorUnits"]
    assert sum(balances.values()) == 0
    events = await _event_types(runtime)
    assert events.index("OrderCreated") < events.index("PaymentSucceeded")
    async with runtime.db.read_engine.connect() as conn:
        used = (await conn.execute(select(promotions.c.times_used))).scalar_one()
        statuses = set((await conn.execute(select(carts.c.status))).scalars())
    assert used == 1 and statuses == {"COMPLETED"}
    me = await gql.data("{ me { loyalty { points } orders { totalCount edges { node { number } } "
                        "} } cart { lines { id } } }", token=buyer.token)
    assert me["me"]["orders"]["totalCount"] == 1
    assert me["me"]["loyalty"]["points"] == order["loyaltyPointsEarned"] > 0
    assert me["cart"]["lines"] == []


async def test_same_key_returns_the_same_order_and_another_checkout_is_refused(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 1000)])
    first = await complete(gql, buyer.token, sid, key="same")
    again = await complete(gql, buyer.token, sid, key="same")
    assert again["userErrors"] == []
    assert again["order"]["id"] == first["order"]["id"]
    assert again["payment"]["providerReference"] == first["payment"]["providerReference"]
    other, _ = await checkout(gql, runtime, buyer, [(seller, 2000)])
    reused = await complete(gql, buyer.token, other, key="same")
    assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    second_key = await complete(gql, buyer.token, sid, key="different")
    assert [e["code"] for e in second_key["userErrors"]] == ["INVALID_STATE_TRANSITION"]


async def test_decline_keeps_the_order_pending_and_a_retry_pays_it(gql: Any,
                                                                  runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, made = await checkout(gql, runtime, buyer, [(seller, 1500)])
    declined = await complete(gql, buyer.token, sid, pm="pm_card_chargeDeclined")
    assert [(e["code"], e["field"]) for e in declined["userErrors"]] == [
        ("PAYMENT_DECLINED", ["input", "paymentMethod"])]
    assert declined["order"]["status"] == "PENDING_PAYMENT"
    assert declined["payment"]["status"] == "FAILED"
    assert declined["payment"]["failureMessage"]
    assert (await stock_level(runtime, made[0].variant_ids[0])).allocated == 1
    retry = (await gql.data(RETRY, {"order": declined["order"]["id"], "pm": "pm_card_visa",
                                    "key": "retry-1"}, token=buyer.token))["orderRetryPayment"]
    assert retry["userErrors"] == []
    assert retry["order"]["status"] == "CONFIRMED" and retry["payment"]["status"] == "SUCCEEDED"
    shown = (await gql.data(GET, {"id": declined["order"]["id"]}, token=buyer.token))["order"]
    assert [p["status"] for p in shown["payments"]] == ["FAILED", "SUCCEEDED"]
    paid_again = (await gql.data(RETRY, {"order": declined["order"]["id"], "pm": "pm_card_visa",
                                         "key": "retry-2"}, token=buyer.token))
    assert [e["code"] for e in paid_again["orderRetryPayment"]["userErrors"]] == [
        "INVALID_STATE_TRANSITION"]


async def test_challenge_completed_on_the_action_page_confirms_by_webhook(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 1200)])
    result = await complete(gql, buyer.token, sid, pm="pm_card_threeDSecure2Required")
    assert result["userErrors"] == []
    assert result["payment"]["status"] == "REQUIRES_ACTION"
    action = result["payment"]["nextAction"]
    assert action["type"] == "REDIRECT_TO_URL"
    path = action["url"].split("127.0.0.1:8000", 1)[-1]
    page = await gql.http.get(path)
    assert page.status_code == 200 and "Complete authentication" in page.text
    secret = re.search(r'name="secret" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    done = await gql.http.post(path.split("?")[0], data={"secret": secret, "outcome": "succeed"})
    assert done.status_code == 200, done.text
    shown = (await gql.data(GET, {"id": result["order"]["id"]}, token=buyer.token))["order"]
    assert shown["status"] == "CONFIRMED"
    assert shown["payments"][0]["status"] == "SUCCEEDED"


async def test_webhooks_are_verified_idempotent_and_never_move_backwards(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 1200)])
    result = await complete(gql, buyer.token, sid, pm="pm_card_threeDSecure2Required")
    provider = runtime.payment_provider
    reference = result["payment"]["providerReference"]
    secret = result["payment"]["nextAction"]["url"].split("secret=")[1]
    payload, signature = await provider.complete_action(reference, secret, succeed=True)
    bad = await gql.http.post("/webhooks/stripe", content=payload,
                              headers={"Stripe-Signature": signature.replace("v1=", "v1=0")})
    assert bad.status_code == 400
    ok = await gql.http.post("/webhooks/stripe", content=payload,
                             headers={"Stripe-Signature": signature})
    assert ok.status_code == 200 and ok.json()["applied"] is True
    again = await gql.http.post("/webhooks/stripe", content=payload,
                                headers={"Stripe-Signature": signature})
    assert again.status_code == 200
    # A late, out-of-order failure event for the same intent (as Stripe may deliver one)
    late_event = json.loads(payload)
    late_event["id"] = late_event["id"] + "_late"
    late_event["type"] = "payment_intent.payment_failed"
    late_event["data"]["object"].update(
        status="requires_payment_method",
        last_payment_error={"code": "card_declined", "message": "Your card was declined."})
    failed_payload = json.dumps(late_event).encode()
    failed_signature = sign_payload(failed_payload, runtime.settings.stripe_webhook_secret)
    late = await gql.http.post("/webhooks/stripe", content=failed_payload,
                               headers={"Stripe-Signature": failed_signature})
    assert late.status_code == 200 and late.json()["applied"] is True  # seen, not applied
    shown = (await gql.data(GET, {"id": result["order"]["id"]}, token=buyer.token))["order"]
    assert shown["status"] == "CONFIRMED" and shown["payments"][0]["status"] == "SUCCEEDED"
    events = await _event_types(runtime)
    assert events.count("PaymentSucceeded") == 1 and "PaymentFailed" not in events
    assert (await ledger_balances(runtime))["PAYMENT_CLEARING"] == 0


async def test_complete_error_codes(gql: Any, runtime: Any, clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    intruder = await make_account(runtime)
    product = await make_product(runtime, seller.seller_id, prices=[1000])
    await gql.data(ADD, {"v": encode_id("ProductVariant", product.variant_ids[0]), "q": 1},
                   token=buyer.token)
    sid = (await gql.data(START, token=buyer.token))["checkoutStart"]["checkout"]["id"]
    incomplete = await complete(gql, buyer.token, sid)
    assert [(e["code"], e["field"]) for e in incomplete["userErrors"]] == [
        ("CHECKOUT_INCOMPLETE", ["shippingAddress"])]
    await gql.data(UPDATE, {"id": sid, "input": {"shippingAddress": CA}}, token=buyer.token)
    assert [e["code"] for e in (await complete(gql, intruder.token, sid))["userErrors"]] == [
        "NOT_FOUND"]
    bad_method = await complete(gql, buyer.token, sid, pm="4242 4242 4242 4242")
    assert [e["code"] for e in bad_method["userErrors"]] == ["INVALID_INPUT"]
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(update(variants).values(price_minor=1100))
    changed = await complete(gql, buyer.token, sid)
    assert [e["code"] for e in changed["userErrors"]] == ["PRICE_CHANGED"]
    assert changed["order"] is None
    clock.advance(minutes=31)
    reissue(runtime, buyer)
    expired = await complete(gql, buyer.token, sid)
    assert [e["code"] for e in expired["userErrors"]] == ["CHECKOUT_EXPIRED"]
    assert (await stock_level(runtime, product.variant_ids[0])).allocated == 0


async def test_unpaid_orders_are_cancelled_at_payment_due(gql: Any, runtime: Any,
                                                          clock: Any) -> None:
    from ops.sweep import sweep_all

    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    await give_points(runtime, buyer.user_id, 300, earned_days_ago=400)
    sid, made = await checkout(gql, runtime, buyer, [(seller, 2000)],
                                loyaltyPointsToUse=300)
    declined = await complete(gql, buyer.token, sid, pm="pm_card_chargeDeclined")
    assert declined["order"]["status"] == "PENDING_PAYMENT"
    assert (await gql.data("{ me { loyalty { points } } }", token=buyer.token))["me"][
        "loyalty"]["points"] == 0  # held by the order
    clock.advance(minutes=30, seconds=1)
    report = await sweep_all(runtime.transaction)
    assert report.orders_cancelled == 1
    reissue(runtime, buyer)
    shown = (await gql.data(GET, {"id": declined["order"]["id"]}, token=buyer.token))["order"]
    assert shown["status"] == "CANCELLED"
    assert {s["status"] for s in shown["shipments"]} == {"CANCELLED"}
    level = await stock_level(runtime, made[0].variant_ids[0])
    assert (level.available, level.allocated) == (10, 0)
    assert (await gql.data("{ me { loyalty { points } } }", token=buyer.token))["me"][
        "loyalty"]["points"] == 300
    late = (await gql.data(RETRY, {"order": declined["order"]["id"], "pm": "pm_card_visa",
                                   "key": "late"}, token=buyer.token))["orderRetryPayment"]
    assert [e["code"] for e in late["userErrors"]] == ["INVALID_STATE_TRANSITION"]


async def test_who_sees_which_order(gql: Any, runtime: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    outsider = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    other_buyer = await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    sid, _ = await checkout(gql, runtime, buyer, [(a, 3000), (b, 4000)])
    order_id = (await complete(gql, buyer.token, sid))["order"]["id"]
    # A seller may not ask for the buyer's loyalty points (docs/rules.md, "What each role
    # sees"; tests/api/test_role_visibility.py).
    seller_get = GET.replace("loyaltyPointsUsed loyaltyPointsEarned", "")
    as_a = (await gql.data(seller_get, {"id": order_id}, token=a.token))["order"]
    assert [ln["unitPrice"]["minorUnits"] for ln in as_a["lines"]] == [3000]
    assert len(as_a["shipments"]) == 1 and as_a["payments"] == []
    assert as_a["pricing"]["subtotal"]["minorUnits"] == 3000
    for stranger in (outsider, other_buyer):
        assert (await gql.data(GET, {"id": order_id}, token=stranger.token))["order"] is None
    as_admin = (await gql.data(GET, {"id": order_id}, token=admin.token))["order"]
    assert len(as_admin["lines"]) == 2 and as_admin["payments"][0]["clientSecret"] is None
    listed = await gql.data("{ adminOrders(first: 5) { totalCount edges { node { id } } } }",
                            token=admin.token)
    assert listed["adminOrders"]["totalCount"] == 1
    denied = await gql("{ adminOrders { totalCount } }", token=buyer.token)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    payload = json.dumps(as_admin)
    assert "clientSecret\": \"pi_" not in payload


async def test_shipment_lists_and_ledger_balances(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 3000), (other, 4000)])
    order = (await complete(gql, buyer.token, sid))["order"]
    mine = await gql.data("""{ sellerShipments(first: 10, status: PENDING) { totalCount
      edges { node { status lines { sku quantity } order { number lines { sku } } } } } }""",
                          token=seller.token)
    edges = mine["sellerShipments"]["edges"]
    assert mine["sellerShipments"]["totalCount"] == 1
    assert edges[0]["node"]["order"]["number"] == order["number"]
    assert len(edges[0]["node"]["order"]["lines"]) == 1  # only the seller's own line
    balance = (await gql.data("{ sellerBalance { account balance { minorUnits } } }",
                              token=seller.token))["sellerBalance"]
    # 30.00 of items, 10% fee (3.00), shipping free (70.00 in all) -> 27.00 payable
    assert balance == {"account": f"SELLER_PAYABLE:{encode_id('Seller', seller.seller_id)}",
                       "balance": {"minorUnits": 2700}}
    accounts = (await gql.data("{ adminLedgerBalances { account balance { minorUnits } } }",
                               token=admin.token))["adminLedgerBalances"]
    by_name = {a["account"]: a["balance"]["minorUnits"] for a in accounts}
    assert by_name["PAYMENT_CLEARING"] == 0 and sum(by_name.values()) == 0
    assert by_name["PLATFORM_REVENUE"] == 300 + 400
    every = await gql.data("{ adminShipments { totalCount } }", token=admin.token)
    assert every["adminShipments"]["totalCount"] == 2
    for query in ("{ sellerShipments { totalCount } }", "{ sellerBalance { account } }"):
        denied = await gql(query, token=buyer.token)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_session_whose_cart_holds_lapsed_cannot_complete(gql: Any, runtime: Any,
                                                                 clock: Any) -> None:
    """checkout(id) shows EXPIRED once the cart's holds lapse; checkoutComplete agrees, even
    before the sweeper has run."""
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, made = await checkout(gql, runtime, buyer, [(seller, 1000)])
    clock.advance(minutes=15, seconds=1)
    reissue(runtime, buyer)
    shown = await gql.data("query($id: ID!) { checkout(id: $id) { status } }", {"id": sid},
                           token=buyer.token)
    assert shown["checkout"]["status"] == "EXPIRED"
    result = await complete(gql, buyer.token, sid)
    assert [e["code"] for e in result["userErrors"]] == ["CHECKOUT_EXPIRED"]
    level = await stock_level(runtime, made[0].variant_ids[0])
    assert (level.reserved, level.allocated) == (1, 0)  # still held until the sweeper runs


async def test_order_lists_cost_the_same_statements_for_1_and_5_orders(
        gql: Any, runtime: Any, statements: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    query = """{ me { orders(first: 20) { totalCount edges { node { number status
      lines { sku seller { displayName } variant { sku } } shipments { status lines { sku } }
      payments { status } statusHistory { status } buyer { email } } } } } }"""
    counts = {}
    for n in range(1, 6):
        sid, _ = await checkout(gql, runtime, buyer, [(seller, 1000 + n)])
        assert (await complete(gql, buyer.token, sid, key=f"k{n}"))["userErrors"] == []
        if n in (1, 5):
            statements.reset()
            body = await gql.data(query, token=buyer.token)
            assert len(body["me"]["orders"]["edges"]) == n
            counts[n] = statements.count
    # 9 statements, each read in its own BEGIN/ROLLBACK (transaction control is counted)
    assert counts[1] == counts[5] <= 27, counts
