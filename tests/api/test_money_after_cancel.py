"""Money that arrives after a cancel (docs/rules.md "Money rules"): orderCancel cancels the
provider's open intent; a success that still arrives (the challenge finished anyway, or it
had already succeeded) is captured in the ledger, refunded automatically and shown REFUNDED;
no path leaves the buyer charged for a cancelled order."""
from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import case, func, select

from app import create_app
from domain.payments.provider import PaymentProviderUnavailable, PaymentStatus
from adapters.payments.offline import OfflineProvider
from persistence.tables import ledger_accounts, ledger_entries, ledger_transactions
from tests.support.client import GraphQLClient
from tests.support.factories import make_account
from tests.support.orders import checkout, complete

CANCEL = """mutation($id: ID!) { orderCancel(orderId: $id, reason: "too slow") {
  order { status payments { status amount { minorUnits } refundedAmount { minorUnits } } }
  userErrors { code message } } }"""
ADMIN_VIEW = """query($id: ID!) { order(id: $id) { status payments { status provider
  amount { minorUnits } refundedAmount { minorUnits } } }
  adminLedgerBalances { account balance { minorUnits } } }"""


async def _challenge_order(gql: Any, runtime: Any) -> tuple[Any, dict[str, Any]]:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 4200)])
    placed = await complete(gql, buyer.token, sid, pm="pm_card_threeDSecure2Required")
    assert placed["payment"]["status"] == "REQUIRES_ACTION", placed
    return buyer, placed


async def _finish_challenge(gql: Any, url: str) -> httpx.Response:
    path = url.split("127.0.0.1:8000", 1)[-1]
    page = await gql.http.get(path)
    secret = re.search(r'name="secret" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return await gql.http.post(path.split("?")[0], data={"secret": secret,
                                                         "outcome": "succeed"})


async def _ledger(runtime: Any) -> list[tuple[str, int]]:
    """(kind, what the buyer's external account gave (+) or got back (-)) of every ledger
    transaction, oldest first; each must be balanced (debits == credits)."""
    buyer = ledger_accounts.c.name == "BUYER_EXTERNAL"
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(
            select(ledger_transactions.c.kind, func.sum(ledger_entries.c.debit_minor),
                   func.sum(ledger_entries.c.credit_minor),
                   func.sum(case((buyer, ledger_entries.c.debit_minor
                                  - ledger_entries.c.credit_minor), else_=0)))
            .join(ledger_entries, ledger_entries.c.transaction_id == ledger_transactions.c.id)
            .join(ledger_accounts, ledger_accounts.c.id == ledger_entries.c.account_id)
            .group_by(ledger_transactions.c.id, ledger_transactions.c.kind)
            .order_by(ledger_transactions.c.id))).all()
    assert all(d == c for _, d, c, _ in rows), rows
    return [(kind, int(paid)) for kind, _, _, paid in rows]


async def _admin_view(gql: Any, runtime: Any, order_id: str) -> dict[str, Any]:
    admin = await make_account(runtime, "ADMIN")
    return await gql.data(ADMIN_VIEW, {"id": order_id}, token=admin.token)


async def test_cancel_closes_the_intent_so_the_challenge_cannot_charge(gql: Any,
                                                                       runtime: Any) -> None:
    buyer, placed = await _challenge_order(gql, runtime)
    cancelled = (await gql.data(CANCEL, {"id": placed["order"]["id"]},
                                token=buyer.token))["orderCancel"]
    assert cancelled["userErrors"] == []
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["payments"][0]["status"] == "CANCELED"
    intent = await runtime.payment_provider.retrieve(placed["payment"]["providerReference"])
    assert intent.status is PaymentStatus.CANCELED
    late = await _finish_challenge(gql, placed["payment"]["nextAction"]["url"])
    assert late.status_code == 404  # the provider refuses: nothing is taken
    view = await _admin_view(gql, runtime, placed["order"]["id"])
    assert view["order"]["payments"][0]["status"] == "CANCELED"
    assert await _ledger(runtime) == []


class CancelDown:
    """The offline provider, except that cancelling an intent finds the provider down."""

    def __init__(self, inner: OfflineProvider) -> None:
        self.inner = inner
        self.name = inner.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def cancel(self, reference: str) -> Any:
        raise PaymentProviderUnavailable("provider down")


async def test_a_success_arriving_after_the_cancel_is_refunded(settings: Any, clock: Any,
                                                               fast_hasher: Any) -> None:
    provider = CancelDown(OfflineProvider(settings.stripe_webhook_secret,
                                          settings.public_base_url, clock))
    app = create_app(settings, clock=clock, payment_provider=provider,
                     password_hasher=fast_hasher)
    runtime = app.state.runtime
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        buyer, placed = await _challenge_order(gql, runtime)
        total = placed["order"]["pricing"]["total"]["minorUnits"]
        cancelled = (await gql.data(CANCEL, {"id": placed["order"]["id"]},
                                    token=buyer.token))["orderCancel"]
        assert [e["code"] for e in cancelled["userErrors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
        assert cancelled["order"]["status"] == "CANCELLED"
        done = await _finish_challenge(gql, placed["payment"]["nextAction"]["url"])
        assert done.status_code == 200, done.text  # the buyer finished the challenge anyway
        view = await _admin_view(gql, runtime, placed["order"]["id"])
        assert view["order"]["status"] == "CANCELLED"
        assert view["order"]["payments"] == [{
            "status": "REFUNDED", "provider": "offline", "amount": {"minorUnits": total},
            "refundedAmount": {"minorUnits": total}}]
        assert {b["balance"]["minorUnits"] for b in view["adminLedgerBalances"]} == {0}
        assert await _ledger(runtime) == [("CAPTURE", total), ("REFUND", -total)]
        intent = await provider.retrieve(placed["payment"]["providerReference"])
        assert (intent.status, intent.amount_refunded_minor) == (PaymentStatus.REFUNDED, total)
    await runtime.db.dispose()


async def test_an_intent_that_succeeded_before_the_cancel_is_refunded_by_the_cancel(
        gql: Any, runtime: Any) -> None:
    buyer, placed = await _challenge_order(gql, runtime)
    total = placed["order"]["pricing"]["total"]["minorUnits"]
    reference = placed["payment"]["providerReference"]
    secret = placed["payment"]["nextAction"]["url"].split("secret=")[1]
    # The buyer completed the challenge; its webhook has not arrived yet.
    payload, signature = await runtime.payment_provider.complete_action(reference, secret,
                                                                        succeed=True)
    cancelled = (await gql.data(CANCEL, {"id": placed["order"]["id"]},
                                token=buyer.token))["orderCancel"]
    assert cancelled["userErrors"] == []
    assert cancelled["order"]["status"] == "CANCELLED"
    assert cancelled["order"]["payments"][0]["status"] == "REFUNDED"
    late = await gql.http.post("/webhooks/stripe", content=payload,
                               headers={"Stripe-Signature": signature})
    assert late.status_code == 200
    view = await _admin_view(gql, runtime, placed["order"]["id"])
    assert view["order"]["payments"][0]["refundedAmount"]["minorUnits"] == total
    assert view["order"]["payments"][0]["status"] == "REFUNDED"
    assert await _ledger(runtime) == [("CAPTURE", total), ("REFUND", -total)]
    assert {b["balance"]["minorUnits"] for b in view["adminLedgerBalances"]} == {0}


async def test_a_success_after_the_sweeper_cancelled_the_order_is_refunded(
        gql: Any, runtime: Any, clock: Any) -> None:
    from ops.sweep import sweep_all

    buyer, placed = await _challenge_order(gql, runtime)
    total = placed["order"]["pricing"]["total"]["minorUnits"]
    clock.advance(minutes=30, seconds=1)
    assert (await sweep_all(runtime.transaction)).orders_cancelled == 1
    done = await _finish_challenge(gql, placed["payment"]["nextAction"]["url"])
    assert done.status_code == 200
    view = await _admin_view(gql, runtime, placed["order"]["id"])
    assert view["order"]["status"] == "CANCELLED"
    assert view["order"]["payments"][0]["status"] == "REFUNDED"
    assert await _ledger(runtime) == [("CAPTURE", total), ("REFUND", -total)]


class RefundsDown(CancelDown):
    """Cancels and refunds both find the provider down, until `up` is set."""

    up = False

    async def refund(self, **kwargs: Any) -> Any:
        if not self.up:
            raise PaymentProviderUnavailable("provider down")
        return await self.inner.refund(**kwargs)


async def test_a_refund_that_could_not_be_made_is_made_by_the_sweeper_loop(
        settings: Any, clock: Any, fast_hasher: Any) -> None:
    from domain.orders.changes import refund_owed

    provider = RefundsDown(OfflineProvider(settings.stripe_webhook_secret,
                                           settings.public_base_url, clock))
    app = create_app(settings, clock=clock, payment_provider=provider,
                     password_hasher=fast_hasher)
    runtime = app.state.runtime
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50003))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        buyer, placed = await _challenge_order(gql, runtime)
        total = placed["order"]["pricing"]["total"]["minorUnits"]
        await gql.data(CANCEL, {"id": placed["order"]["id"]}, token=buyer.token)
        assert (await _finish_challenge(gql, placed["payment"]["nextAction"]["url"])
                ).status_code == 200
        view = await _admin_view(gql, runtime, placed["order"]["id"])
        assert view["order"]["payments"][0]["status"] == "SUCCEEDED"  # owed, and visible
        assert await _ledger(runtime) == [("CAPTURE", total)]
        assert await refund_owed(runtime.transaction, provider) == 0  # still down
        provider.up = True
        assert await refund_owed(runtime.transaction, provider) == 1
        assert await refund_owed(runtime.transaction, provider) == 0  # nothing left
        view = await _admin_view(gql, runtime, placed["order"]["id"])
        assert view["order"]["payments"][0]["status"] == "REFUNDED"
        assert await _ledger(runtime) == [("CAPTURE", total), ("REFUND", -total)]
        assert {b["balance"]["minorUnits"] for b in view["adminLedgerBalances"]} == {0}
    await runtime.db.dispose()
