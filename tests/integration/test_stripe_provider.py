"""The Stripe provider through the real stripe SDK, against localstripe (a subprocess on a
loopback port) and, for the answers localstripe cannot give, a canned HTTP server speaking
Stripe's documented error bodies.

localstripe (1.15) gaps, tested around here: it knows only pm_card_visa,
pm_card_visa_chargeDeclined (charges succeed: only attaching it fails) and
pm_card_chargeCustomerFail (declined) among the test tokens, so a decline uses the latter and a
challenge uses a PaymentMethod made from the 3-D Secure test card number; it answers a challenge
with use_stripe_sdk; it ignores Idempotency-Key; it does not check refunds against the charge;
a card error names the charge, not the PaymentIntent.
"""
from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, AsyncIterator, Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import stripe

from domain.payments.provider import (
    IntentResult,
    PaymentProviderUnavailable,
    PaymentRequestRejected,
    PaymentStatus,
    WebhookSignatureError,
)
from adapters.payments.stripe_provider import StripeProvider
from tests.support.json_server import JsonServer
from tests.support.server import free_port

# The stripe SDK's httpx client uploads form bodies with `data=`, which httpx deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

API_KEY = "sk_test_12345"
WEBHOOK_SECRET = "whsec_localstripe_test"


@pytest.fixture(scope="module")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = Path(sys.executable).with_name("localstripe")
    command = str(binary) if binary.exists() else shutil.which("localstripe")
    if command is None:
        pytest.skip("localstripe is not installed (pip install -e '.[test]')")
    port = free_port()
    workdir = tmp_path_factory.mktemp("localstripe")
    log = open(workdir / "localstripe.log", "wb")
    process = subprocess.Popen([command, "--port", str(port), "--from-scratch"],
                               cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError((workdir / "localstripe.log").read_text())
            try:
                httpx.get(f"{base}/v1/balance", auth=(API_KEY, ""), timeout=0.5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
async def provider(localstripe: str) -> AsyncIterator[StripeProvider]:
    built = StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=localstripe)
    yield built
    await built.aclose()


async def pay(provider: StripeProvider, method: str, amount: int = 5000,
              key: str = "k") -> IntentResult:
    return await provider.create_and_confirm(
        amount_minor=amount, currency="USD", payment_method=method, idempotency_key=key,
        metadata={"order_id": "42"}, return_url="http://shop.test/orders/42")


class Canned:
    """A loopback HTTP server that records requests and answers each with the next canned
    (status, JSON body), 200 {} once they run out."""

    def __init__(self, *answers: tuple[int, dict[str, Any]]) -> None:
        self.answers = list(answers)
        self.requests: queue.Queue[tuple[str, bytes, dict[str, str]]] = queue.Queue()
        self.http = JsonServer(self._respond)
        self.url = self.http.url

    def _respond(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        self.requests.put((path, body, headers))
        return self.answers.pop(0) if self.answers else (200, {})

    def close(self) -> None:
        self.http.close()


# --- against localstripe
async def test_a_visa_card_succeeds(provider: StripeProvider) -> None:
    result = await pay(provider, "pm_card_visa", amount=1999)
    assert result.status is PaymentStatus.SUCCEEDED and result.provider == "stripe"
    assert result.reference.startswith("pi_")
    assert result.client_secret.startswith(f"{result.reference}_secret_")
    assert (result.amount_minor, result.currency) == (1999, "USD")
    assert await provider.retrieve(result.reference) == result


async def test_a_declined_card_is_a_failed_result(provider: StripeProvider) -> None:
    result = await pay(provider, "pm_card_chargeCustomerFail")
    assert result.status is PaymentStatus.FAILED
    assert result.reference.startswith("pi_")
    assert (result.failure_code, result.failure_message) == (
        "card_declined", "Your card was declined.")
    assert (await provider.retrieve(result.reference)).status is PaymentStatus.FAILED


async def test_an_unknown_payment_method_is_rejected(provider: StripeProvider) -> None:
    # localstripe does not know pm_card_chargeDeclined; Stripe answers the same way for any
    # PaymentMethod id it does not know (400 resource_missing, 404 here).
    with pytest.raises(PaymentRequestRejected):
        await pay(provider, "pm_card_chargeDeclined")


async def test_partial_then_full_refund(provider: StripeProvider) -> None:
    paid = await pay(provider, "pm_card_visa")
    refund = await provider.refund(reference=paid.reference, amount_minor=1500,
                                   idempotency_key="refund-1")
    assert refund.reference.startswith("re_")
    assert (refund.amount_minor, refund.status) == (1500, "succeeded")
    partly = await provider.retrieve(paid.reference)
    assert (partly.status, partly.amount_refunded_minor) == (
        PaymentStatus.PARTIALLY_REFUNDED, 1500)
    await provider.refund(reference=paid.reference, amount_minor=3500,
                          idempotency_key="refund-2")
    assert (await provider.retrieve(paid.reference)).status is PaymentStatus.REFUNDED


async def test_retrieve_an_unknown_intent(provider: StripeProvider) -> None:
    with pytest.raises(PaymentRequestRejected):
        await provider.retrieve("pi_doesnotexist")


async def test_a_card_that_needs_3d_secure(provider: StripeProvider, localstripe: str) -> None:
    async with httpx.AsyncClient(base_url=localstripe, auth=(API_KEY, "")) as http:
        method = (await http.post("/v1/payment_methods", data={
            "type": "card", "card[number]": "4000002500003155", "card[exp_month]": "12",
            "card[exp_year]": "2034", "card[cvc]": "123"})).json()["id"]
        pending = await pay(provider, method)
        assert pending.status is PaymentStatus.REQUIRES_ACTION
        assert pending.next_action_type == "USE_STRIPE_SDK" and pending.next_action_url is None
        answer = await http.post(f"/v1/payment_intents/{pending.reference}/_authenticate",
                                 data={"client_secret": pending.client_secret,
                                       "success": "true"})
        assert answer.status_code == 200, answer.text
    assert (await provider.retrieve(pending.reference)).status is PaymentStatus.SUCCEEDED


async def test_cancel_an_intent_waiting_for_3d_secure(provider: StripeProvider,
                                                     localstripe: str) -> None:
    async with httpx.AsyncClient(base_url=localstripe, auth=(API_KEY, "")) as http:
        method = (await http.post("/v1/payment_methods", data={
            "type": "card", "card[number]": "4000002500003155", "card[exp_month]": "12",
            "card[exp_year]": "2034", "card[cvc]": "123"})).json()["id"]
        pending = await pay(provider, method, key="cancel-me")
        assert pending.status is PaymentStatus.REQUIRES_ACTION
        cancelled = await provider.cancel(pending.reference)
        assert cancelled.status is PaymentStatus.CANCELED
        answer = await http.post(f"/v1/payment_intents/{pending.reference}/_authenticate",
                                 data={"client_secret": pending.client_secret,
                                       "success": "true"})
        assert answer.status_code >= 400  # a cancelled intent cannot take the money
    assert (await provider.retrieve(pending.reference)).status is PaymentStatus.CANCELED
    assert (await provider.cancel(pending.reference)).status is PaymentStatus.CANCELED


async def test_cancel_a_succeeded_intent_answers_it_succeeded(provider: StripeProvider) -> None:
    paid = await pay(provider, "pm_card_visa", key="paid-then-cancel")
    assert (await provider.cancel(paid.reference)).status is PaymentStatus.SUCCEEDED


async def test_a_webhook_sent_by_localstripe_is_accepted(provider: StripeProvider,
                                                         localstripe: str) -> None:
    receiver = Canned()
    try:
        httpx.post(f"{localstripe}/_config/webhooks/tests", auth=(API_KEY, ""),
                   data={"url": receiver.url + "/webhooks/stripe", "secret": WEBHOOK_SECRET,
                         "events[]": ["payment_intent.succeeded"]}).raise_for_status()
        paid = await pay(provider, "pm_card_visa", amount=777)
        deadline = time.monotonic() + 8  # localstripe waits 1 s before delivering
        while True:
            _, body, headers = receiver.requests.get(
                timeout=max(0.01, deadline - time.monotonic()))  # queue.Empty: never came
            event = provider.parse_webhook(body, headers["Stripe-Signature"])
            if event.payment_reference == paid.reference:
                break
        assert (event.type, event.status, event.amount_minor) == (
            "payment_intent.succeeded", PaymentStatus.SUCCEEDED, 777)
        with pytest.raises(WebhookSignatureError):
            provider.parse_webhook(body.replace(b"777", b"778"), headers["Stripe-Signature"])
    finally:
        receiver.close()


def test_webhook_signatures_made_by_the_stripe_library(provider: StripeProvider) -> None:
    payload = json.dumps({
        "id": "evt_1", "object": "event", "type": "payment_intent.payment_failed",
        "created": 1767225600, "data": {"object": {
            "id": "pi_1", "object": "payment_intent", "amount": 5000, "currency": "usd",
            "status": "requires_payment_method", "last_payment_error": {
                "code": "card_declined", "message": "Your card was declined."}}}})
    good = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    event = provider.parse_webhook(payload.encode(), good)
    assert (event.status, event.failure_message) == (PaymentStatus.FAILED,
                                                     "Your card was declined.")
    for bad in (stripe.WebhookSignature.generate_signature_header(payload, "whsec_other"),
                stripe.WebhookSignature.generate_signature_header(
                    payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)):
        with pytest.raises(WebhookSignatureError):
            provider.parse_webhook(payload.encode(), bad)


# --- Stripe's own answers, canned
async def test_the_request_sent_to_stripe() -> None:
    intent = {"id": "pi_9", "object": "payment_intent", "amount": 5000, "currency": "usd",
              "status": "requires_action", "client_secret": "pi_9_secret_x", "next_action": {
                  "type": "redirect_to_url",
                  "redirect_to_url": {"url": "https://hooks.stripe.com/3ds/x"}}}
    fake = Canned((200, intent))
    try:
        result = await pay(StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=fake.url,
                                          localstripe=False), "pm_card_visa", key="order-1")
        path, body, headers = fake.requests.get_nowait()
    finally:
        fake.close()
    form = parse_qs(body.decode())
    assert path == "/v1/payment_intents" and headers["Idempotency-Key"] == "order-1"
    assert form["confirm"] == ["true"] and form["currency"] == ["usd"]
    assert form["allowed_payment_method_types[0]"] == ["card"]
    assert form["return_url"] == ["http://shop.test/orders/42"]
    assert form["metadata[order_id]"] == ["42"]
    assert (result.status, result.next_action_type, result.next_action_url) == (
        PaymentStatus.REQUIRES_ACTION, "REDIRECT_TO_URL", "https://hooks.stripe.com/3ds/x")


async def test_a_stripe_card_error_carries_the_intent() -> None:
    declined = {"id": "pi_8", "object": "payment_intent", "amount": 5000, "currency": "usd",
                "status": "requires_payment_method", "last_payment_error": {
                    "type": "card_error", "code": "card_declined",
                    "message": "Your card was declined."}}
    fake = Canned((402, {"error": {"type": "card_error", "code": "card_declined",
                                   "message": "Your card was declined.",
                                   "payment_intent": declined}}))
    try:
        result = await pay(StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=fake.url),
                           "pm_card_chargeDeclined")
    finally:
        fake.close()
    assert (result.reference, result.status, result.failure_code) == (
        "pi_8", PaymentStatus.FAILED, "card_declined")


@pytest.mark.parametrize("status", [500, 503, 401, 429])
async def test_provider_errors_mean_unavailable(status: int) -> None:
    fake = Canned((status, {"error": {"type": "api_error", "message": "boom"}}))
    try:
        with pytest.raises(PaymentProviderUnavailable):
            await pay(StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=fake.url,
                                     max_network_retries=0), "pm_card_visa")
    finally:
        fake.close()


async def test_no_answer_means_unavailable() -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    provider = StripeProvider(API_KEY, WEBHOOK_SECRET, api_base=nobody, max_network_retries=0)
    with pytest.raises(PaymentProviderUnavailable):
        await pay(provider, "pm_card_visa")
