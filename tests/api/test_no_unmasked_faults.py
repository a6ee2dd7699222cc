"""No unmasked 500s (docs/rules.md, "Request limits"): malformed input on every route is a 400
with a JSON error, and an unexpected fault anywhere is a JSON 500 carrying the request id, as
GraphQL's INTERNAL errors do."""
from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from adapters.payments.stripe_objects import sign_payload
from web.carrier import sign

QUERY = "query($v: JSON) { __typename }"


def nested(depth: int, value: str = "1") -> str:
    return "[" * depth + value + "]" * depth


def assert_json_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json"), response.text[:300]
    return response.json()  # type: ignore[no-any-return]


async def test_a_graphql_body_that_is_not_utf8_is_a_400(gql: Any) -> None:
    response = await gql.http.post("/graphql", content=b'{"query": "{ __typename \xff }"}',
                                   headers={"Content-Type": "application/json"})
    body = assert_json_error(response, 400)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_REJECTED"


async def test_variables_nested_100000_deep_are_a_400(gql: Any) -> None:
    raw = ('{"query": "query($v: String) { __typename }", "variables": {"v": '
           + nested(100_000) + "}}").encode()
    response = await gql.http.post("/graphql", content=raw,
                                   headers={"Content-Type": "application/json"})
    body = assert_json_error(response, 400)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_REJECTED"


@pytest.mark.parametrize("payload", [
    b'{"hello": "world"}', b"[]", b'"text"', b"\xff\xfe", nested(30_000).encode(),
    b'{"id": "evt_1", "type": "x", "created": 1, "data": {"object": []}}',
    b'{"id": "evt_1", "type": "x", "created": 99999999999999999, "data": {"object": {}}}',
])
async def test_a_signed_stripe_webhook_that_is_no_stripe_event_is_a_400(
        gql: Any, runtime: Any, payload: bytes) -> None:
    signature = sign_payload(payload.decode("latin-1").encode("utf-8")
                             if payload.startswith(b"\xff") else payload,
                             runtime.settings.stripe_webhook_secret)
    response = await gql.http.post("/webhooks/stripe", content=payload,
                                   headers={"Stripe-Signature": signature})
    assert_json_error(response, 400)


@pytest.mark.parametrize("payload", [nested(30_000).encode(),
                                     b'{"trackingNumber": ' + nested(30_000).encode() + b"}",
                                     b"\xff\xfe{}"])
async def test_a_signed_carrier_body_of_nested_brackets_is_a_400(
        gql: Any, runtime: Any, payload: bytes) -> None:
    response = await gql.http.post("/webhooks/carrier", content=payload, headers={
        "X-Carrier-Signature": sign(payload, runtime.settings.carrier_webhook_secret)})
    assert_json_error(response, 400)


async def test_an_offline_action_form_that_is_not_utf8_is_a_400(gql: Any) -> None:
    response = await gql.http.post("/payments/offline/action/pi_x", content=b"secret=\xff",
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith("application/json")


async def test_unknown_routes_and_methods_answer_json(gql: Any) -> None:
    assert_json_error(await gql.http.get("/nowhere"), 404)
    assert_json_error(await gql.http.get("/webhooks/stripe"), 405)
    assert_json_error(await gql.http.put("/graphql", content=b"{}"), 405)


async def test_an_unexpected_fault_outside_graphql_is_masked_with_the_request_id(
        app: Any, gql: Any, runtime: Any) -> None:
    async def broken(_: Request) -> Any:
        raise RuntimeError("secret internals")

    app.router.add_route("/broken", broken, methods=["GET"])
    response = await gql.http.get("/broken", headers={"X-Request-ID": "abc123"})
    body = assert_json_error(response, 500)
    assert body == {"errors": [{"message": "Unexpected error.", "extensions": {
        "code": "INTERNAL", "requestId": "abc123"}}]}
    assert response.headers["x-request-id"] == "abc123"
    assert "secret internals" not in json.dumps(body)


@pytest.mark.parametrize("event_id, reference", [
    ("evt_" + "x" * 150, None), ("evt_\u0000", None), ("evt_1", "pi_" + "x" * 300),
    ("evt_2", "pi_\u0000")])
async def test_a_signed_event_with_ids_no_provider_gives_is_refused(
        gql: Any, runtime: Any, event_id: str, reference: str | None) -> None:
    obj = {"object": "payment_intent", "id": reference, "status": "succeeded",
           "amount": 1, "currency": "usd"} if reference else {}
    payload = json.dumps({"id": event_id, "type": "payment_intent.succeeded",
                          "created": 1, "data": {"object": obj}}).encode()
    signature = sign_payload(payload, runtime.settings.stripe_webhook_secret)
    response = await gql.http.post("/webhooks/stripe", content=payload,
                                   headers={"Stripe-Signature": signature})
    assert_json_error(response, 400)


@pytest.mark.parametrize("tracking", ["1Z\u0000", "1Z\u202e", "\ud800"])
async def test_a_signed_carrier_report_with_a_control_character_is_a_400(
        gql: Any, runtime: Any, tracking: str) -> None:
    payload = json.dumps({"trackingNumber": tracking, "status": "IN_TRANSIT",
                          "occurredAt": "2026-01-01T10:00:00+00:00"}).encode()
    response = await gql.http.post("/webhooks/carrier", content=payload, headers={
        "X-Carrier-Signature": sign(payload, runtime.settings.carrier_webhook_secret)})
    assert_json_error(response, 400)


async def test_a_lone_surrogate_escape_is_a_400_and_a_pair_is_a_character(gql: Any) -> None:
    query = "query($s: String) { products(filter: {search: $s}) { totalCount } }"
    for text, status in (("a\\ud800b", 400), ("\\udfff", 400), ("\\ud83d\\ude00", 200)):
        raw = ('{"query": "%s", "variables": {"s": "%s"}}' % (query, text)).encode()
        response = await gql.http.post("/graphql", content=raw,
                                       headers={"Content-Type": "application/json"})
        assert response.status_code == status, (text, response.text)
        if status == 200:
            assert "errors" not in response.json()
