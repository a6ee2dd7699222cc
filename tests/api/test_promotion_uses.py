"""Promotion uses are reserved when the order is placed (docs/rules.md "Money rules"): a code
with usageLimit 1 raced by 10 buyers against a real server gives exactly one discount, a
per-customer limit holds under a race too, and a cancelled order gives its use back."""
from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from persistence.tables import orders, promotion_customer_uses, promotion_usages, promotions
from tests.support.factories import make_account, make_promotion
from tests.support.orders import COMPLETE, checkout, complete
from tests.support.server import start_server

USE_CODE = """mutation($id: ID!, $code: String!) { checkoutUpdate(id: $id, input: {
  promotionCodes: [$code]}) { userErrors { code message } } }"""
CANCEL = """mutation($id: ID!) { orderCancel(orderId: $id) { order { status }
  userErrors { code } } }"""


async def _counts(runtime: Any) -> tuple[int, int, int]:
    async with runtime.db.read_engine.connect() as conn:
        used = (await conn.execute(select(promotions.c.times_used))).scalar_one()
        rows = (await conn.execute(select(func.count()).select_from(promotion_usages))).scalar()
        placed = (await conn.execute(select(func.count()).select_from(orders))).scalar()
    return int(used), int(rows), int(placed)


async def _race(runtime: Any, log_dir: Path, tokens_and_sessions: list[tuple[str, str]]
                ) -> list[dict[str, Any]]:
    server = start_server(runtime.settings.database_url, log_dir)
    try:
        limits = httpx.Limits(max_connections=len(tokens_and_sessions))
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60,
                                     limits=limits) as http:
            async def pay(n: int, token: str, sid: str) -> Any:
                return await http.post("/graphql", headers={"Authorization": f"Bearer {token}"},
                                       json={"query": COMPLETE, "variables": {"id": sid, "input": {
                                           "paymentMethod": "pm_card_visa",
                                           "idempotencyKey": f"race-{n}"}}})

            responses = await asyncio.gather(*(pay(n, token, sid) for n, (token, sid)
                                               in enumerate(tokens_and_sessions)))
    finally:
        server.stop()
    assert [r.status_code for r in responses] == [200] * len(responses)
    bodies = [r.json() for r in responses]
    assert [b for b in bodies if b.get("errors")] == []
    assert "database is locked" not in server.log_path.read_text()
    return [b["data"]["checkoutComplete"] for b in bodies]


def _outcomes(payloads: list[dict[str, Any]]) -> Counter[str]:
    return Counter("ok" if not p["userErrors"] else p["userErrors"][0]["code"]
                   for p in payloads)


async def test_ten_buyers_race_for_a_code_with_one_use(gql: Any, runtime: Any,
                                                       log_dir: Path) -> None:
    admin = await make_account(runtime, "ADMIN")
    seller = await make_account(runtime, "SELLER")
    await make_promotion(runtime, "ONCE", value=10, usage_limit=1, created_by=admin.user_id)
    entrants = []
    for _ in range(10):
        buyer = await make_account(runtime)
        sid, _ = await checkout(gql, runtime, buyer, [(seller, 2000)],
                                 promotionCodes=["ONCE"])
        entrants.append((buyer.token, sid))
    payloads = await _race(runtime, log_dir, entrants)
    assert _outcomes(payloads) == Counter({"ok": 1, "PROMOTION_NOT_APPLICABLE": 9})
    winner = next(p for p in payloads if not p["userErrors"])
    assert winner["order"]["status"] == "CONFIRMED"
    assert winner["order"]["pricing"]["discountTotal"]["minorUnits"] == 200
    assert all(p["order"] is None for p in payloads if p["userErrors"])  # nothing created
    assert await _counts(runtime) == (1, 1, 1)


async def test_a_per_customer_limit_counts_orders_still_waiting_for_payment(
        gql: Any, runtime: Any) -> None:
    """A buyer's order waiting for 3-D Secure holds their use: the next checkout cannot take the
    code again (it used to, since uses were counted only at payment)."""
    admin = await make_account(runtime, "ADMIN")
    await make_promotion(runtime, "MINE", value=10, per_customer_limit=1,
                         created_by=admin.user_id)
    buyer = await make_account(runtime)
    seller = await make_account(runtime, "SELLER")
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2000)], promotionCodes=["MINE"])
    first = await complete(gql, buyer.token, sid, pm="pm_card_threeDSecure2Required")
    assert first["userErrors"] == [] and first["order"]["status"] == "PENDING_PAYMENT"
    second_sid, _ = await checkout(gql, runtime, buyer, [(seller, 2000)])
    refused = await gql.data(USE_CODE, {"id": second_sid, "code": "MINE"}, token=buyer.token)
    errors = refused["checkoutUpdate"]["userErrors"]
    assert [e["code"] for e in errors] == ["PROMOTION_INVALID"], errors
    await gql.data(CANCEL, {"id": first["order"]["id"]}, token=buyer.token)
    again = await gql.data(USE_CODE, {"id": second_sid, "code": "MINE"}, token=buyer.token)
    assert again["checkoutUpdate"]["userErrors"] == []
    assert (await complete(gql, buyer.token, second_sid, key="k2"))["userErrors"] == []


async def test_a_cancelled_order_gives_its_use_back(gql: Any, runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    seller = await make_account(runtime, "SELLER")
    await make_promotion(runtime, "ONCE", value=10, usage_limit=1, per_customer_limit=1,
                         created_by=admin.user_id)
    first, second = await make_account(runtime), await make_account(runtime)
    sid, _ = await checkout(gql, runtime, first, [(seller, 2000)], promotionCodes=["ONCE"])
    held = await complete(gql, first.token, sid, pm="pm_card_threeDSecure2Required")
    assert held["order"]["status"] == "PENDING_PAYMENT"
    assert (await _counts(runtime))[:2] == (1, 1)  # reserved before any payment
    other_sid, _ = await checkout(gql, runtime, second, [(seller, 2000)])
    refused = await gql.data("""mutation($id: ID!) { checkoutUpdate(id: $id, input: {
      promotionCodes: ["ONCE"]}) { userErrors { code } } }""", {"id": other_sid},
                             token=second.token)
    assert [e["code"] for e in refused["checkoutUpdate"]["userErrors"]] == [
        "PROMOTION_INVALID"]
    cancelled = (await gql.data(CANCEL, {"id": held["order"]["id"]},
                                token=first.token))["orderCancel"]
    assert cancelled["userErrors"] == [] and cancelled["order"]["status"] == "CANCELLED"
    assert (await _counts(runtime))[:2] == (0, 0)
    again = (await gql.data(CANCEL, {"id": held["order"]["id"]},
                            token=first.token))["orderCancel"]
    assert again["userErrors"] == [] and (await _counts(runtime))[:2] == (0, 0)
    ok = await gql.data("""mutation($id: ID!) { checkoutUpdate(id: $id, input: {
      promotionCodes: ["ONCE"]}) { userErrors { code } } }""", {"id": other_sid},
                        token=second.token)
    assert ok["checkoutUpdate"]["userErrors"] == []
    paid = await complete(gql, second.token, other_sid)
    assert paid["userErrors"] == [] and paid["order"]["status"] == "CONFIRMED"
    assert paid["order"]["pricing"]["discountTotal"]["minorUnits"] == 200
    assert (await _counts(runtime))[:2] == (1, 1)  # payment keeps the use, counted once
    async with runtime.db.read_engine.connect() as conn:
        per_buyer = dict((await conn.execute(select(
            promotion_customer_uses.c.buyer_id, promotion_customer_uses.c.uses))).all())
    assert per_buyer.get(first.user_id, 0) == 0 and per_buyer[second.user_id] == 1


async def test_the_sweeper_gives_the_use_of_an_unpaid_order_back(gql: Any, runtime: Any,
                                                                  clock: Any) -> None:
    from ops.sweep import sweep_all

    admin = await make_account(runtime, "ADMIN")
    seller = await make_account(runtime, "SELLER")
    await make_promotion(runtime, "ONCE", value=10, usage_limit=1, created_by=admin.user_id)
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2000)], promotionCodes=["ONCE"])
    declined = await complete(gql, buyer.token, sid, pm="pm_card_chargeDeclined")
    assert declined["order"]["status"] == "PENDING_PAYMENT"
    assert (await _counts(runtime))[:2] == (1, 1)
    clock.advance(minutes=30, seconds=1)
    assert (await sweep_all(runtime.transaction)).orders_cancelled == 1
    assert (await _counts(runtime))[:2] == (0, 0)
