"""Money rules on every path (docs/rules.md "Money rules"): a full refund cancels the
shipments that have not left and returns their units; a zero-total order is confirmed without
the provider and the ledger still balances; points earned by a cancelled or refunded order are
taken back in full, even when already spent (the balance goes negative; later earnings repay
it) and the loyalty account is the sum of its movements."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from persistence.tables import loyalty_accounts, loyalty_transactions
from tests.support.factories import give_points, make_account, make_promotion
from tests.support.fulfilment import process_shipment, ship_shipment
from tests.support.orders import CANCEL, REFUND, checkout, complete, ledger_balances, stock_level

POINTS = "{ me { loyalty { points pointsValue { minorUnits } } } }"
SELLER_BALANCE = "{ sellerBalance { account balance { minorUnits } } }"
ADMIN_BALANCES = "{ adminLedgerBalances { account balance { minorUnits } } }"
ORDER = """query($id: ID!) { order(id: $id) { status shipments { status seller { id } }
  payments { status provider amount { minorUnits } } } }"""


async def test_a_full_refund_cancels_the_unshipped_shipments_and_returns_their_units(
        gql: Any, runtime: Any) -> None:
    a, b = await make_account(runtime, "SELLER"), await make_account(runtime, "SELLER")
    buyer, admin = await make_account(runtime), await make_account(runtime, "ADMIN")
    sid, made = await checkout(gql, runtime, buyer, [(a, 3000), (b, 4000)], quantity=2)
    placed = await complete(gql, buyer.token, sid)
    order_id, total = placed["order"]["id"], placed["order"]["pricing"]["total"]["minorUnits"]
    shipped = next(s for s in placed["order"]["shipments"]
                   if s["seller"]["id"] == placed["order"]["lines"][0]["seller"]["id"])
    assert (await process_shipment(gql, a, shipped["id"]))["userErrors"] == []
    assert (await ship_shipment(gql, a, shipped["id"], "TRACK-1"))["userErrors"] == []
    refunded = (await gql.data(REFUND, {"id": order_id, "amount": total},
                               token=admin.token))["orderRefund"]
    assert refunded["userErrors"] == [] and refunded["order"]["status"] == "REFUNDED"
    order = (await gql.data(ORDER, {"id": order_id}, token=admin.token))["order"]
    assert sorted(s["status"] for s in order["shipments"]) == ["CANCELLED", "SHIPPED"]
    sold, returned = (await stock_level(runtime, made[0].variant_ids[0]),
                      await stock_level(runtime, made[1].variant_ids[0]))
    assert (sold.total, sold.available, sold.allocated) == (8, 8, 0)
    assert (returned.total, returned.available, returned.allocated) == (10, 10, 0)
    assert set((await ledger_balances(runtime)).values()) == {0}


async def test_a_full_refund_of_an_unshipped_order_returns_everything(gql: Any,
                                                                      runtime: Any) -> None:
    seller, buyer = await make_account(runtime, "SELLER"), await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    sid, made = await checkout(gql, runtime, buyer, [(seller, 2500)], quantity=3)
    placed = await complete(gql, buyer.token, sid)
    total = placed["order"]["pricing"]["total"]["minorUnits"]
    half = (await gql.data(REFUND, {"id": placed["order"]["id"], "amount": total // 2},
                           token=admin.token))["orderRefund"]
    assert half["order"]["status"] == "CONFIRMED"
    assert (await stock_level(runtime, made[0].variant_ids[0])).allocated == 3  # goods still owed
    rest = (await gql.data(REFUND, {"id": placed["order"]["id"], "amount": total - total // 2},
                           token=admin.token))["orderRefund"]
    assert rest["order"]["status"] == "REFUNDED"
    order = (await gql.data(ORDER, {"id": placed["order"]["id"]}, token=admin.token))["order"]
    assert [s["status"] for s in order["shipments"]] == ["CANCELLED"]
    level = await stock_level(runtime, made[0].variant_ids[0])
    assert (level.available, level.allocated) == (10, 0)


async def _zero_total_order(gql: Any, runtime: Any, seller: Any, admin: Any) -> dict[str, Any]:
    """A free item with a FREE_SHIPPING code."""
    buyer = await make_account(runtime)
    await make_promotion(runtime, "SHIPFREE", kind="FREE_SHIPPING", value=0,
                         created_by=admin.user_id)
    sid, made = await checkout(gql, runtime, buyer, [(seller, 0)], promotionCodes=["SHIPFREE"])
    return {"buyer": buyer, "made": made, "placed": await complete(gql, buyer.token, sid)}


async def test_a_zero_total_order_is_confirmed_without_the_provider(gql: Any,
                                                                    runtime: Any) -> None:
    seller, admin = await make_account(runtime, "SELLER"), await make_account(runtime, "ADMIN")
    paying = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, paying, [(seller, 3000)])
    assert (await complete(gql, paying.token, sid))["order"]["status"] == "CONFIRMED"
    before = await gql.data(ADMIN_BALANCES, token=admin.token)
    seller_before = await gql.data(SELLER_BALANCE, token=seller.token)
    zero = await _zero_total_order(gql, runtime, seller, admin)
    placed = zero["placed"]
    assert placed["userErrors"] == [], placed
    order = placed["order"]
    assert order["pricing"]["total"]["minorUnits"] == 0
    assert order["status"] == "CONFIRMED" and order["confirmedAt"]
    assert [h["status"] for h in order["statusHistory"]] == ["PENDING_PAYMENT", "CONFIRMED"]
    assert placed["payment"]["status"] == "SUCCEEDED"
    assert placed["payment"]["providerReference"] == "" and placed["payment"]["nextAction"] is None
    assert order["payments"] == [{
        "status": "SUCCEEDED", "amount": {"minorUnits": 0}, "provider": "none",
        "providerReference": "", "clientSecret": None, "failureMessage": None,
        "nextAction": None}]
    assert (order["loyaltyPointsUsed"], order["loyaltyPointsEarned"]) == (0, 0)
    level = await stock_level(runtime, zero["made"][0].variant_ids[0])
    assert (level.available, level.allocated) == (9, 1)  # allocated until shipped
    assert await gql.data(ADMIN_BALANCES, token=admin.token) == before  # nothing moved
    assert await gql.data(SELLER_BALANCE, token=seller.token) == seller_before
    balances = await ledger_balances(runtime)
    assert balances["PAYMENT_CLEARING"] == 0 and sum(balances.values()) == 0
    cancelled = (await gql.data(CANCEL, {"id": order["id"]},
                                token=zero["buyer"].token))["orderCancel"]
    assert cancelled["userErrors"] == [] and cancelled["order"]["status"] == "CANCELLED"
    assert await gql.data(ADMIN_BALANCES, token=admin.token) == before


async def test_a_code_and_the_tier_covering_everything_give_a_zero_total(gql: Any,
                                                                         runtime: Any) -> None:
    seller, admin = await make_account(runtime, "SELLER"), await make_account(runtime, "ADMIN")
    buyer = await make_account(runtime)
    await give_points(runtime, buyer.user_id, 1500)  # SILVER: free standard shipping
    await make_promotion(runtime, "ALLOFF", kind="FIXED", value=5000, created_by=admin.user_id)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 1800)], promotionCodes=["ALLOFF"])
    placed = await complete(gql, buyer.token, sid)
    assert placed["userErrors"] == [] and placed["order"]["status"] == "CONFIRMED"
    assert placed["order"]["pricing"]["total"]["minorUnits"] == 0
    assert (await gql.data(POINTS, token=buyer.token))["me"]["loyalty"]["points"] == 1500
    assert set((await ledger_balances(runtime)).values()) <= {0}


async def _movements(runtime: Any, user_id: int) -> tuple[int, int]:
    """(the account's balance, the signed sum of its movements)."""
    async with runtime.db.read_engine.connect() as conn:
        balance = (await conn.execute(select(loyalty_accounts.c.points).where(
            loyalty_accounts.c.user_id == user_id))).scalar_one()
        rows = (await conn.execute(select(loyalty_transactions.c.kind,
                                          loyalty_transactions.c.points).where(
            loyalty_transactions.c.user_id == user_id))).all()
    return int(balance), sum(-p if kind == "SPEND" else p for kind, p in rows)


async def test_points_earned_then_spent_are_taken_back_in_full(gql: Any, runtime: Any) -> None:
    seller, buyer = await make_account(runtime, "SELLER"), await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 6000)])
    first = await complete(gql, buyer.token, sid)
    earned = first["order"]["loyaltyPointsEarned"]
    assert earned == 60
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 120)], loyaltyPointsToUse=60)
    second = await complete(gql, buyer.token, sid, key="k2")
    assert second["order"]["status"] == "CONFIRMED" and second["order"]["loyaltyPointsUsed"] == 60
    assert (await gql.data(POINTS, token=buyer.token))["me"]["loyalty"]["points"] == 0
    cancelled = (await gql.data(CANCEL, {"id": first["order"]["id"]},
                                token=buyer.token))["orderCancel"]
    assert cancelled["userErrors"] == [] and cancelled["order"]["status"] == "CANCELLED"
    loyalty = (await gql.data(POINTS, token=buyer.token))["me"]["loyalty"]
    assert loyalty == {"points": -60, "pointsValue": {"minorUnits": 0}}
    assert await _movements(runtime, buyer.user_id) == (-60, -60)
    balances = await ledger_balances(runtime)  # order 1 fully reversed; order 2 still booked
    assert balances["PAYMENT_CLEARING"] == 0 and sum(balances.values()) == 0
    # A later order earns 100 points: 60 repay the debt.
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 10000)])
    third = await complete(gql, buyer.token, sid, key="k3")
    assert third["order"]["loyaltyPointsEarned"] == 100
    assert (await gql.data(POINTS, token=buyer.token))["me"]["loyalty"]["points"] == 40
    assert await _movements(runtime, buyer.user_id) == (40, 40)


async def test_a_full_refund_takes_back_spent_points_too(gql: Any, runtime: Any) -> None:
    seller, buyer = await make_account(runtime, "SELLER"), await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 8000)])
    first = await complete(gql, buyer.token, sid)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 160)], loyaltyPointsToUse=80)
    assert (await complete(gql, buyer.token, sid, key="k2"))["order"]["status"] == "CONFIRMED"
    total = first["order"]["pricing"]["total"]["minorUnits"]
    refunded = (await gql.data(REFUND, {"id": first["order"]["id"], "amount": total},
                               token=admin.token))["orderRefund"]
    assert refunded["order"]["status"] == "REFUNDED"
    assert (await gql.data(POINTS, token=buyer.token))["me"]["loyalty"]["points"] == -80
    assert await _movements(runtime, buyer.user_id) == (-80, -80)
    over = await gql.data("""mutation($id: ID!) { checkoutUpdate(id: $id, input: {
      loyaltyPointsToUse: 1}) { userErrors { code } } }""",
                          {"id": (await checkout(gql, runtime, buyer, [(seller, 1000)]))[0]},
                          token=buyer.token)
    assert [e["code"] for e in over["checkoutUpdate"]["userErrors"]] == ["INSUFFICIENT_POINTS"]
