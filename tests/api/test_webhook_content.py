"""Webhook content (docs/rules.md, "Webhook content"): a provider event whose amount or currency
differs from the payment it names is never applied; it is kept as a fault admins list with
adminPaymentFaults. Tracking numbers are compared without spaces and case."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from adapters.payments.stripe_objects import sign_payload
from tests.support.factories import make_account
from tests.support.fulfilment import SHIP, paid_order, process_shipment, sign_carrier_report
from tests.support.orders import GET, checkout, complete

FAULTS = """query($first: Int, $after: String) { adminPaymentFaults(first: $first,
  after: $after) { totalCount edges { cursor node { id kind message eventId eventType
  expectedAmount expectedCurrency receivedAmount receivedCurrency createdAt
  payment { status providerReference } } } pageInfo { hasNextPage endCursor } } }"""


async def _awaiting_action(gql: Any, runtime: Any) -> tuple[Any, dict[str, Any], bytes]:
    """An order whose payment waits for 3-D Secure, and the genuine success event."""
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 1200)])
    result = await complete(gql, buyer.token, sid, pm="pm_card_threeDSecure2Required")
    reference = result["payment"]["providerReference"]
    secret = result["payment"]["nextAction"]["url"].split("secret=")[1]
    payload, _ = await runtime.payment_provider.complete_action(reference, secret, succeed=True)
    return buyer, result, payload


async def _post_event(gql: Any, runtime: Any, event: dict[str, Any]) -> Any:
    raw = json.dumps(event).encode()
    signature = sign_payload(raw, runtime.settings.stripe_webhook_secret)
    return await gql.http.post("/webhooks/stripe", content=raw,
                               headers={"Stripe-Signature": signature})


@pytest.mark.parametrize("change, kind, received", [
    ({"amount": 1}, "AMOUNT_MISMATCH", (1, "USD")),
    ({"currency": "eur"}, "CURRENCY_MISMATCH", (None, "EUR")),
])
async def test_an_event_for_another_amount_or_currency_is_a_fault_not_a_payment(
        gql: Any, runtime: Any, change: dict[str, Any], kind: str,
        received: tuple[int | None, str]) -> None:
    buyer, result, genuine = await _awaiting_action(gql, runtime)
    admin = await make_account(runtime, "ADMIN")
    event = json.loads(genuine)
    expected = event["data"]["object"]["amount"]
    event["data"]["object"].update(change)
    answer = await _post_event(gql, runtime, event)
    assert answer.status_code == 200, answer.text
    assert answer.json()["applied"] is False and answer.json()["fault"] == kind
    again = await _post_event(gql, runtime, event)  # a redelivery adds no second fault
    assert again.status_code == 200 and again.json()["applied"] is False
    shown = (await gql.data(GET, {"id": result["order"]["id"]}, token=buyer.token))["order"]
    assert shown["status"] == "PENDING_PAYMENT"
    assert shown["payments"][0]["status"] == "REQUIRES_ACTION"

    faults = (await gql.data(FAULTS, {"first": 10}, token=admin.token))["adminPaymentFaults"]
    assert faults["totalCount"] == 1
    fault = faults["edges"][0]["node"]
    assert (fault["kind"], fault["eventId"], fault["eventType"]) == (
        kind, event["id"], "payment_intent.succeeded")
    assert (fault["expectedAmount"], fault["expectedCurrency"]) == (expected, "USD")
    if kind == "AMOUNT_MISMATCH":
        assert (fault["receivedAmount"], fault["receivedCurrency"]) == received
    else:
        assert fault["receivedCurrency"] == received[1]
    assert fault["payment"] == {"status": "REQUIRES_ACTION",
                                "providerReference": result["payment"]["providerReference"]}
    for who in (buyer, await make_account(runtime, "SELLER")):
        denied = await gql(FAULTS, {"first": 10}, token=who.token)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The genuine event still settles the payment.
    genuine_event = json.loads(genuine)
    genuine_event["id"] += "_genuine"
    ok = await _post_event(gql, runtime, genuine_event)
    assert ok.status_code == 200 and ok.json()["applied"] is True
    shown = (await gql.data(GET, {"id": result["order"]["id"]}, token=buyer.token))["order"]
    assert shown["status"] == "CONFIRMED"


async def test_payment_faults_are_paged(gql: Any, runtime: Any) -> None:
    _, _, genuine = await _awaiting_action(gql, runtime)
    admin = await make_account(runtime, "ADMIN")
    for n in range(3):
        event = json.loads(genuine)
        event["id"] += f"_{n}"
        event["data"]["object"]["amount"] = n + 1
        assert (await _post_event(gql, runtime, event)).json()["fault"] == "AMOUNT_MISMATCH"
    first = (await gql.data(FAULTS, {"first": 2}, token=admin.token))["adminPaymentFaults"]
    assert [e["node"]["receivedAmount"] for e in first["edges"]] == [3, 2]  # newest first
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await gql.data(FAULTS, {"first": 2, "after": first["pageInfo"]["endCursor"]},
                           token=admin.token))["adminPaymentFaults"]
    assert [e["node"]["receivedAmount"] for e in rest["edges"]] == [1]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_tracking_numbers_ignore_spaces_and_case(gql: Any, runtime: Any,
                                                       clock: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    _, ship_of, _, _ = await paid_order(gql, runtime, [a, b])
    for seller in (a, b):
        assert (await process_shipment(gql, seller, ship_of[seller.seller_id]))["userErrors"] == []
    shipped = (await gql.data(SHIP, {"id": ship_of[a.seller_id], "carrier": "UPS",
                                     "tracking": "1Z abc 123"}, token=a.token))["shipmentShip"]
    assert shipped["userErrors"] == []
    assert shipped["shipment"]["trackingNumber"] == "1ZABC123"
    copy = (await gql.data(SHIP, {"id": ship_of[b.seller_id], "carrier": "UPS",
                                  "tracking": " 1z abc 123 "}, token=b.token))["shipmentShip"]
    assert [(e["code"], e["field"]) for e in copy["userErrors"]] == [
        ("CONFLICT", ["trackingNumber"])]

    report = {"trackingNumber": "1z ABC 123", "status": "IN_TRANSIT",
              "occurredAt": (clock.now() + timedelta(hours=1)).isoformat()}
    raw, headers = sign_carrier_report(report, runtime.settings.carrier_webhook_secret)
    moved = await gql.http.post("/webhooks/carrier", content=raw, headers=headers)
    assert moved.status_code == 200 and moved.json()["applied"] is True, moved.text
    node = await gql.data(f'{{ node(id: "{ship_of[a.seller_id]}") {{ ... on Shipment {{ '
                          f'status trackingNumber }} }} }}', token=a.token)
    assert node["node"] == {"status": "IN_TRANSIT", "trackingNumber": "1ZABC123"}
