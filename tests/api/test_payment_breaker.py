"""The circuit breaker around the payment provider, through checkoutComplete with the Stripe
adapter (docs/rules.md, "Database faults and provider outages"): against a canned Stripe that
answers 5xx or nothing in time, and against localstripe stopped and started again."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs

import httpx
import pytest

from app import create_app
from adapters.payments.stripe_provider import StripeProvider
from tests.support.client import GraphQLClient
from tests.support.factories import make_account
from tests.support.json_server import JsonServer
from tests.support.orders import checkout
from tests.support.server import free_port

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

COMPLETE = """mutation($id: ID!, $input: CheckoutCompleteInput!) {
  checkoutComplete(id: $id, input: $input) {
    order { status shipments { status } } payment { status }
    userErrors { code message retryAfterSeconds } } }"""
COOLDOWN = 0.6


class FakeStripe:
    """A loopback Stripe answering every request by `mode`: "error" (503 api_error), "slow"
    (answers after 2 s), "ok" (a succeeded PaymentIntent); counts the requests it got."""

    def __init__(self) -> None:
        self.mode = "error"
        self.hits = 0
        self.http = JsonServer(self._respond)
        self.url = self.http.url

    def _respond(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        form = parse_qs(body.decode())
        self.hits += 1
        if self.mode == "slow":
            time.sleep(2)
        if self.mode != "ok":
            return 503, {"error": {"type": "api_error", "message": "down"}}
        return 200, {"id": f"pi_{self.hits}", "object": "payment_intent",
                     "amount": int(form.get("amount", ["0"])[0]), "currency": "usd",
                     "status": "succeeded", "client_secret": f"pi_{self.hits}_secret_x"}

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    yield fake
    fake.close()


async def stripe_app(settings: Any, clock: Any, hasher: Any, api_base: str,
                     failures: int = 3) -> Any:
    """The app with the Stripe adapter (one HTTP request per call: no SDK retries), which
    create_app puts behind the breaker as it does any provider."""
    provider = StripeProvider("sk_test_12345", settings.stripe_webhook_secret,
                              api_base=api_base, max_network_retries=0)
    return create_app(replace(
        settings, payment_breaker_failures=failures,
        payment_breaker_cooldown_seconds=COOLDOWN, payment_provider_timeout_seconds=0.5),
        clock=clock, password_hasher=hasher, payment_provider=provider)


async def pay(gql: GraphQLClient, token: str, sid: str) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    body = await gql.data(COMPLETE, {"id": sid, "input": {
        "paymentMethod": "pm_card_visa", "idempotencyKey": "breaker-key"}}, token=token)
    return body["checkoutComplete"], time.monotonic() - started


async def breaker_metrics(gql: GraphQLClient) -> dict[str, float]:
    text = (await gql.http.get("/metrics")).text
    return {line.split('"')[1]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line.startswith("payment_provider_breaker_state{")}


async def order_in_checkout(gql: GraphQLClient, runtime: Any) -> tuple[str, str]:
    seller, buyer = await make_account(runtime, "SELLER"), await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    return buyer.token, sid


@pytest.mark.parametrize("outage", ["error", "slow"])
async def test_after_a_run_of_failures_checkout_fails_fast_until_a_trial_succeeds(
        settings: Any, clock: Any, fast_hasher: Any, fake_stripe: FakeStripe,
        outage: str) -> None:
    app = await stripe_app(settings, clock, fast_hasher, fake_stripe.url)
    runtime = app.state.runtime
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50003))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        token, sid = await order_in_checkout(gql, runtime)
        fake_stripe.mode = outage
        for _ in range(3):
            answer, _ = await pay(gql, token, sid)
            assert [e["code"] for e in answer["userErrors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
        assert fake_stripe.hits == 3
        assert (await breaker_metrics(gql))["open"] == 1.0
        # Open: fails fast, without a request to the provider; the order waits with its stock.
        answer, seconds = await pay(gql, token, sid)
        [error] = answer["userErrors"]
        assert error["code"] == "PAYMENT_PROVIDER_UNAVAILABLE"
        assert error["retryAfterSeconds"] == 1 and "Retry in 1 s." in error["message"]
        assert seconds < 0.4 and fake_stripe.hits == 3
        assert answer["order"]["status"] == "PENDING_PAYMENT"
        assert answer["order"]["shipments"][0]["status"] == "PENDING"
        # After the cool-down, one trial; the provider is back, so it succeeds and closes.
        fake_stripe.mode = "ok"
        time.sleep(COOLDOWN)
        answer, _ = await pay(gql, token, sid)
        assert answer["userErrors"] == [] and answer["payment"]["status"] == "SUCCEEDED"
        assert answer["order"]["status"] == "CONFIRMED" and fake_stripe.hits == 4
        assert await breaker_metrics(gql) == {"closed": 1.0, "half_open": 0.0, "open": 0.0}
        metrics = (await gql.http.get("/metrics")).text
        assert ('payment_provider_breaker_transitions_total{from_state="half_open",'
                'to_state="closed"} 1.0') in metrics
    await runtime.db.dispose()


def start_localstripe(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    binary = Path(sys.executable).with_name("localstripe")
    command = str(binary) if binary.exists() else shutil.which("localstripe")
    if command is None:
        pytest.skip("localstripe is not installed (pip install -e '.[test]')")
    log = open(workdir / f"localstripe-{time.monotonic_ns()}.log", "wb")
    process = subprocess.Popen([command, "--port", str(port), "--from-scratch"], cwd=workdir,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            raise RuntimeError("localstripe exited")
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/balance", auth=("sk_test_12345", ""),
                      timeout=0.5)
            return process
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def test_localstripe_stopped_then_started_again(
        settings: Any, clock: Any, fast_hasher: Any, tmp_path: Path) -> None:
    port = free_port()
    process = start_localstripe(port, tmp_path)
    app = await stripe_app(settings, clock, fast_hasher, f"http://127.0.0.1:{port}",
                           failures=2)
    runtime = app.state.runtime
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50004))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            gql = GraphQLClient(http)
            token, sid = await order_in_checkout(gql, runtime)
            stop(process)
            for _ in range(2):
                answer, _ = await pay(gql, token, sid)
                assert [e["code"] for e in answer["userErrors"]] == [
                    "PAYMENT_PROVIDER_UNAVAILABLE"]
            answer, seconds = await pay(gql, token, sid)
            assert answer["userErrors"][0]["retryAfterSeconds"] == 1 and seconds < 0.4
            assert answer["order"]["status"] == "PENDING_PAYMENT"
            process = start_localstripe(port, tmp_path)
            time.sleep(COOLDOWN)
            answer, _ = await pay(gql, token, sid)
            assert answer["userErrors"] == [], answer
            assert answer["order"]["status"] == "CONFIRMED"
            assert (await breaker_metrics(gql))["closed"] == 1.0
    finally:
        stop(process)
        await runtime.payment_provider.aclose()
        await runtime.db.dispose()
