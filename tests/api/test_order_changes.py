"""orderCancel and orderRefund through the API: stock, points, payments and the ledger."""
from __future__ import annotations

from typing import Any

import httpx

from app import create_app
from domain.payments.provider import PaymentProviderUnavailable
from adapters.payments.offline import OfflineProvider
from tests.support.client import GraphQLClient
from tests.support.factories import give_points, make_account
from tests.support.orders import CANCEL, REFUND, checkout, complete, ledger_balances, stock_level

POINTS = "{ me { loyalty { points } } }"


async def _paid_order(gql: Any, runtime: Any, points: int = 0) -> tuple[Any, Any, str, Any]:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    extra = {}
    if points:
        await give_points(runtime, buyer.user_id, points, earned_days_ago=400)
        extra["loyaltyPointsToUse"] = points
    sid, made = await checkout(gql, runtime, buyer, [(seller, 6000)], quantity=2, **extra)
    result = await complete(gql, buyer.token, sid)
    assert result["order"]["status"] == "CONFIRMED", result
    return seller, buyer, result["order"]["id"], made[0]


async def test_buyer_cancels_a_paid_order_and_gets_everything_back(gql: Any,
                                                                  runtime: Any) -> None:
    _, buyer, order_id, product = await _paid_order(gql, runtime, points=1000)
    earned_and_left = (await gql.data(POINTS, token=buyer.token))["me"]["loyalty"]["points"]
    assert earned_and_left > 0  # 1000 spent, 110 earned
    result = (await gql.data(CANCEL, {"id": order_id}, token=buyer.token))["orderCancel"]
    assert result["userErrors"] == []
    order = result["order"]
    assert order["status"] == "CANCELLED"
    assert [h["status"] for h in order["statusHistory"]] == [
        "PENDING_PAYMENT", "CONFIRMED", "CANCELLED"]
    assert {s["status"] for s in order["shipments"]} == {"CANCELLED"}
    assert order["payments"][0]["status"] == "REFUNDED"
    level = await stock_level(runtime, product.variant_ids[0])
    assert (level.available, level.allocated) == (10, 0)
    assert (await gql.data(POINTS, token=buyer.token))["me"]["loyalty"]["points"] == 1000
    assert set((await ledger_balances(runtime)).values()) == {0}
    again = (await gql.data(CANCEL, {"id": order_id}, token=buyer.token))["orderCancel"]
    assert again["userErrors"] == [] and again["order"]["payments"][0]["status"] == "REFUNDED"
    assert set((await ledger_balances(runtime)).values()) == {0}  # nothing refunded twice


async def test_admin_refunds_in_parts_until_the_order_is_refunded(gql: Any,
                                                                 runtime: Any) -> None:
    _, buyer, order_id, _ = await _paid_order(gql, runtime)
    admin = await make_account(runtime, "ADMIN")
    paid = sum(v for k, v in (await ledger_balances(runtime)).items() if k == "BUYER_EXTERNAL")
    total = -paid
    first = (await gql.data(REFUND, {"id": order_id, "amount": 1000},
                            token=admin.token))["orderRefund"]
    assert first["userErrors"] == []
    assert first["payment"] == {"status": "PARTIALLY_REFUNDED",
                                "refundedAmount": {"minorUnits": 1000}}
    assert first["order"]["status"] == "CONFIRMED"
    balances = await ledger_balances(runtime)
    assert balances["PAYMENT_CLEARING"] == 0 and sum(balances.values()) == 0
    assert balances["BUYER_EXTERNAL"] == -(total - 1000)
    too_much = (await gql.data(REFUND, {"id": order_id, "amount": total},
                               token=admin.token))["orderRefund"]
    assert [(e["code"], e["field"]) for e in too_much["userErrors"]] == [
        ("INVALID_INPUT", ["amountMinorUnits"])]
    rest = (await gql.data(REFUND, {"id": order_id, "amount": total - 1000},
                           token=admin.token))["orderRefund"]
    assert rest["payment"]["status"] == "REFUNDED" and rest["order"]["status"] == "REFUNDED"
    assert set((await ledger_balances(runtime)).values()) == {0}
    by_buyer = (await gql.data(REFUND, {"id": order_id, "amount": 1},
                               token=buyer.token))["orderRefund"]
    assert [e["code"] for e in by_buyer["userErrors"]] == ["FORBIDDEN"]


async def test_cancel_error_codes(gql: Any, runtime: Any) -> None:
    seller, buyer, order_id, _ = await _paid_order(gql, runtime)
    stranger = await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    not_mine = (await gql.data(CANCEL, {"id": order_id}, token=stranger.token))["orderCancel"]
    assert [(e["code"], e["field"]) for e in not_mine["userErrors"]] == [
        ("NOT_FOUND", ["orderId"])]
    by_seller = (await gql.data(CANCEL, {"id": order_id}, token=seller.token))["orderCancel"]
    assert [e["code"] for e in by_seller["userErrors"]] == ["FORBIDDEN"]
    unpaid_seller = await make_account(runtime, "SELLER")
    sid, _ = await checkout(gql, runtime, stranger, [(unpaid_seller, 1000)])
    unpaid = await complete(gql, stranger.token, sid, pm="pm_card_chargeDeclined")
    refund = (await gql.data(REFUND, {"id": unpaid["order"]["id"], "amount": 100},
                             token=admin.token))["orderRefund"]
    assert [e["code"] for e in refund["userErrors"]] == ["INVALID_STATE_TRANSITION"]
    cancelled = (await gql.data(CANCEL, {"id": unpaid["order"]["id"]},
                                token=admin.token))["orderCancel"]
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["payments"][0]["status"] == "FAILED"


class FlakyRefunds:
    """The offline provider, except that the first refund finds the provider unreachable."""

    def __init__(self, inner: OfflineProvider) -> None:
        self.inner = inner
        self.name = inner.name
        self.failures_left = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def refund(self, **kwargs: Any) -> Any:
        if self.failures_left:
            self.failures_left -= 1
            raise PaymentProviderUnavailable("provider down")
        return await self.inner.refund(**kwargs)


async def test_an_unreachable_provider_leaves_the_refund_owed_until_repeated(
        settings: Any, clock: Any, fast_hasher: Any) -> None:
    provider = FlakyRefunds(OfflineProvider(settings.stripe_webhook_secret,
                                            settings.public_base_url, clock))
    app = create_app(settings, clock=clock, payment_provider=provider,
                     password_hasher=fast_hasher)
    runtime = app.state.runtime
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        _, buyer, order_id, _ = await _paid_order(gql, runtime)
        first = (await gql.data(CANCEL, {"id": order_id}, token=buyer.token))["orderCancel"]
        assert [e["code"] for e in first["userErrors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
        assert first["order"]["status"] == "CANCELLED"
        assert first["order"]["payments"][0]["status"] == "SUCCEEDED"  # still owed
        assert (await ledger_balances(runtime))["BUYER_EXTERNAL"] < 0
        second = (await gql.data(CANCEL, {"id": order_id}, token=buyer.token))["orderCancel"]
        assert second["userErrors"] == []
        assert second["order"]["payments"][0]["status"] == "REFUNDED"
        assert set((await ledger_balances(runtime)).values()) == {0}
    await runtime.db.dispose()
