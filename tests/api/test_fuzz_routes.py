"""Fuzzing every HTTP route (docs/rules.md, "Request limits"): random bytes, random JSON,
random GraphQL-ish documents and random headers, signed and unsigned webhook bodies. Whatever
comes in, the answer is never a 500, and every 4xx/5xx answer is JSON. Bounded: a fixed number
of examples per route, a few seconds each on either database."""
from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from adapters.payments.stripe_objects import sign_payload
from web.carrier import sign

FUZZ = hyp_settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

SCALARS = (st.none() | st.booleans() | st.integers(-2**70, 2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
TOKENS = ["{", "}", "(", ")", "[", "]", ":", "!", "=", ",", "...", "$v", "$first", "query",
          "mutation", "subscription", "fragment F on Query", "on", "Int", "String", "ID",
          "JSON", "products", "product", "first:", "after:", "edges", "node", "id", "name",
          "__typename", "__schema", "types", "fields", "me", "cart", "lines", "order",
          'node(id: "T3JkZXI6MQ")', "login(email: $v, password: $v)", "token", "userErrors",
          "code", "cartAddLine(input: {variantId: $v, quantity: 1})", '"text"', '"\\u0000"',
          "1", "-1", "1e999", "2147483648", "true", "null", "@include(if: $v)", "@skip",
          "#", "\n", "\\", "'", "adminOrders", "categories", "search:", "filter:"]
DOCUMENTS = st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join) | st.text(max_size=80)
HEADER_TEXT = st.text(alphabet=string.printable.replace("\r", "").replace("\n", ""),
                      max_size=60)
CONTENT_TYPES = st.sampled_from([
    "application/json", "application/json; charset=latin-1", "text/plain",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "multipart/mixed", "application/graphql", "", "garbage/;;"]) | HEADER_TEXT
HEADERS = st.fixed_dictionaries({}, optional={
    "Content-Type": CONTENT_TYPES,
    "Authorization": st.one_of(HEADER_TEXT, HEADER_TEXT.map("Bearer {}".format)),
    "X-Request-ID": HEADER_TEXT, "Accept": st.sampled_from([
        "application/json", "text/html", "multipart/mixed", "text/event-stream", "*/*"]),
    "Origin": HEADER_TEXT, "Stripe-Signature": HEADER_TEXT,
    "X-Carrier-Signature": HEADER_TEXT})


def dump(value: Any) -> bytes:
    return json.dumps(value).encode()


OPERATIONS = st.fixed_dictionaries(
    {"query": DOCUMENTS},
    optional={"variables": JSON | st.dictionaries(st.sampled_from(["v", "first"]), JSON),
              "operationName": st.none() | st.text(max_size=10), "extensions": JSON})
GRAPHQL_BODIES = (st.binary(max_size=300) | JSON.map(dump) | OPERATIONS.map(dump)
                  | st.lists(OPERATIONS, max_size=3).map(dump))


def check(response: httpx.Response) -> None:
    assert response.status_code != 500, response.text[:500]
    if response.status_code >= 400:
        kind = response.headers.get("content-type", "")
        assert kind.startswith("application/json"), (response.status_code, response.text[:300])
        response.json()


@FUZZ
@given(body=GRAPHQL_BODIES, headers=HEADERS)
async def test_graphql_post(gql: Any, body: bytes, headers: dict[str, str]) -> None:
    check(await gql.http.post("/graphql", content=body, headers=headers))


@FUZZ
@given(query=DOCUMENTS, variables=st.none() | JSON.map(json.dumps) | st.text(max_size=30),
       headers=HEADERS)
async def test_graphql_get(gql: Any, query: str, variables: str | None,
                           headers: dict[str, str]) -> None:
    url = "/graphql?query=" + quote(query)
    if variables is not None:
        url += "&variables=" + quote(variables)
    check(await gql.http.get(url, headers=headers))


STRIPE_OBJECTS = st.fixed_dictionaries({}, optional={
    "object": st.sampled_from(["payment_intent", "charge", "refund", "x"]) | JSON,
    "id": st.text(max_size=120) | JSON, "payment_intent": st.text(max_size=120) | JSON,
    "status": st.sampled_from(["succeeded", "processing", "requires_action", "canceled",
                               "requires_payment_method", "new"]) | JSON,
    "amount": st.integers(-2**70, 2**70) | JSON, "amount_refunded": st.integers() | JSON,
    "currency": st.sampled_from(["usd", "eur", "\x00", "u" * 40]) | JSON,
    "last_payment_error": JSON})
STRIPE_EVENTS = st.fixed_dictionaries({}, optional={
    "id": st.text(max_size=120) | JSON, "type": st.sampled_from([
        "payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded",
        "x" * 100]) | JSON,
    "created": st.integers(0, 2**32) | st.integers(-2**70, 2**70) | JSON,
    "object": st.just("event"),
    "data": st.fixed_dictionaries({}, optional={"object": STRIPE_OBJECTS | JSON}) | JSON})


@FUZZ
@given(body=st.binary(max_size=300) | JSON.map(dump) | STRIPE_EVENTS.map(dump),
       signed=st.booleans(), headers=HEADERS)
async def test_stripe_webhook(gql: Any, runtime: Any, body: bytes, signed: bool,
                              headers: dict[str, str]) -> None:
    if signed:
        text = body.decode("utf-8", "replace").encode()
        headers = {**headers, "Stripe-Signature": sign_payload(
            text, runtime.settings.stripe_webhook_secret)}
        body = text
    check(await gql.http.post("/webhooks/stripe", content=body, headers=headers))


CARRIER_REPORTS = st.fixed_dictionaries({}, optional={
    "trackingNumber": st.text(max_size=120) | JSON,
    "status": st.sampled_from(["SHIPPED", "IN_TRANSIT", "DELIVERED", "LOST"]) | JSON,
    "occurredAt": st.sampled_from(["2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00",
                                   "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00",
                                   "yesterday"]) | JSON})


@FUZZ
@given(body=st.binary(max_size=300) | JSON.map(dump) | CARRIER_REPORTS.map(dump),
       signed=st.booleans(), headers=HEADERS)
async def test_carrier_webhook(gql: Any, runtime: Any, body: bytes, signed: bool,
                               headers: dict[str, str]) -> None:
    if signed:
        headers = {**headers, "X-Carrier-Signature": sign(
            body, runtime.settings.carrier_webhook_secret)}
    check(await gql.http.post("/webhooks/carrier", content=body, headers=headers))


@FUZZ
@given(intent=st.text(alphabet=string.ascii_letters + string.digits + "_-.%~", min_size=1,
                      max_size=40),
       method=st.sampled_from(["GET", "POST"]), body=st.binary(max_size=200)
       | st.dictionaries(st.sampled_from(["secret", "outcome", "x"]), st.text(max_size=40))
       .map(lambda form: "&".join(f"{k}={quote(v)}" for k, v in form.items()).encode()),
       secret=st.text(max_size=40), headers=HEADERS)
async def test_offline_action_and_readyz(gql: Any, intent: str, method: str, body: bytes,
                                         secret: str, headers: dict[str, str]) -> None:
    path = f"/payments/offline/action/{quote(intent)}"
    if method == "GET":
        check(await gql.http.get(f"{path}?secret={quote(secret)}", headers=headers))
    else:
        check(await gql.http.post(path, content=body, headers=headers))
    check(await gql.http.get("/readyz", headers=headers))
    check(await gql.http.request(method, "/healthz", headers=headers))
