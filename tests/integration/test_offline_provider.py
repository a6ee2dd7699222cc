"""The offline provider behaves like Stripe's test payment methods, with no network: outcomes
per token, idempotency across instances, refunds, the action page's signed webhook, and webhook
signatures checked by the stripe library (tolerance 300 s)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from domain.clock import ManualClock
from domain.payments.provider import (
    IntentResult,
    PaymentRequestRejected,
    PaymentStatus,
    RefundTooLarge,
    WebhookSignatureError,
)
from adapters.payments import build_provider
from adapters.payments.offline import OfflineProvider
from adapters.payments.stripe_objects import sign_payload
from settings import Settings

SECRET = "whsec_offline_test_secret"
BASE = "http://shop.test"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def provider(clock: ManualClock) -> OfflineProvider:
    return OfflineProvider(SECRET, BASE + "/", clock)


async def pay(provider: OfflineProvider, method: str, key: str = "key-1",
              amount: int = 5000) -> IntentResult:
    return await provider.create_and_confirm(
        amount_minor=amount, currency="usd", payment_method=method, idempotency_key=key,
        metadata={"order_id": "42"}, return_url=f"{BASE}/orders/42")


def action_parts(url: str) -> tuple[str, str]:
    parsed = urlsplit(url)
    return parsed.path.rsplit("/", 1)[1], parse_qs(parsed.query)["secret"][0]


@pytest.mark.parametrize("method", ["pm_card_visa", "pm_card_mastercard", "pm_card_amex",
                                    "pm_card_visa_debit", "pm_1PsavedCard0042"])
async def test_cards_that_succeed(provider: OfflineProvider, method: str) -> None:
    result = await pay(provider, method)
    assert result.status is PaymentStatus.SUCCEEDED
    assert result.provider == "offline" and result.provider_status == "succeeded"
    assert result.reference.startswith("pi_") and len(result.reference) == 27
    assert result.client_secret.startswith(f"{result.reference}_secret_")
    assert (result.amount_minor, result.currency) == (5000, "USD")
    assert result.next_action_type is None and result.failure_message is None


@pytest.mark.parametrize("method", ["pm_card_chargeDeclined", "pm_card_visa_chargeDeclined",
                                    "pm_card_visa_chargeDeclinedInsufficientFunds",
                                    "pm_card_chargeCustomerFail"])
async def test_cards_that_are_declined(provider: OfflineProvider, method: str) -> None:
    result = await pay(provider, method)
    assert result.status is PaymentStatus.FAILED
    assert result.provider_status == "requires_payment_method"
    assert result.failure_code == "card_declined"
    assert result.failure_message == "Your card was declined."


@pytest.mark.parametrize("method", ["pm_card_threeDSecure2Required",
                                    "pm_card_threeDSecureRequired",
                                    "pm_card_authenticationRequired"])
async def test_cards_that_need_an_action(provider: OfflineProvider, method: str) -> None:
    result = await pay(provider, method)
    assert result.status is PaymentStatus.REQUIRES_ACTION
    assert result.next_action_type == "REDIRECT_TO_URL"
    assert result.next_action_url.startswith(
        f"{BASE}/payments/offline/action/{result.reference}?secret=")


async def test_the_same_key_returns_the_same_intent_in_any_instance(
        provider: OfflineProvider, clock: ManualClock) -> None:
    first = await pay(provider, "pm_card_threeDSecure2Required", "order-7-attempt-1")
    assert await pay(provider, "pm_card_threeDSecure2Required", "order-7-attempt-1") == first
    other_process = OfflineProvider(SECRET, BASE, ManualClock())
    assert await pay(other_process, "pm_card_threeDSecure2Required",
                     "order-7-attempt-1") == first
    assert (await pay(provider, "pm_card_visa", "order-7-attempt-2")).reference \
        != first.reference
    other_secret = OfflineProvider("whsec_other", BASE, clock)
    assert (await pay(other_secret, "pm_card_threeDSecure2Required",
                      "order-7-attempt-1")).reference != first.reference


async def test_a_key_reused_with_other_parameters_is_refused(provider: OfflineProvider) -> None:
    await pay(provider, "pm_card_visa", "k", amount=5000)
    with pytest.raises(PaymentRequestRejected) as caught:
        await pay(provider, "pm_card_visa", "k", amount=5001)
    assert caught.value.code == "idempotency_error"


async def test_retrieve(provider: OfflineProvider) -> None:
    created = await pay(provider, "pm_card_chargeDeclined")
    assert await provider.retrieve(created.reference) == created
    with pytest.raises(PaymentRequestRejected) as caught:
        await provider.retrieve("pi_unknown")
    assert caught.value.code == "resource_missing"


async def test_partial_then_full_refund_never_more_than_captured(
        provider: OfflineProvider) -> None:
    paid = await pay(provider, "pm_card_visa")
    first = await provider.refund(reference=paid.reference, amount_minor=2000,
                                  idempotency_key="refund-1")
    assert first.reference.startswith("re_") and first.amount_minor == 2000
    assert first.status == "succeeded"
    assert await provider.refund(reference=paid.reference, amount_minor=2000,
                                 idempotency_key="refund-1") == first  # not counted twice
    after = await provider.retrieve(paid.reference)
    assert (after.status, after.amount_refunded_minor) == (
        PaymentStatus.PARTIALLY_REFUNDED, 2000)
    with pytest.raises(RefundTooLarge) as caught:
        await provider.refund(reference=paid.reference, amount_minor=3001,
                              idempotency_key="refund-2")
    assert isinstance(caught.value, ValueError) and caught.value.code == "amount_too_large"
    rest = await provider.refund(reference=paid.reference, amount_minor=3000,
                                 idempotency_key="refund-3")
    assert rest.reference != first.reference
    assert (await provider.retrieve(paid.reference)).status is PaymentStatus.REFUNDED
    with pytest.raises(ValueError):
        await provider.refund(reference=paid.reference, amount_minor=1,
                              idempotency_key="refund-4")


async def test_only_a_paid_intent_can_be_refunded(provider: OfflineProvider) -> None:
    declined = await pay(provider, "pm_card_chargeDeclined")
    with pytest.raises(PaymentRequestRejected) as caught:
        await provider.refund(reference=declined.reference, amount_minor=100,
                              idempotency_key="r")
    assert caught.value.code == "charge_not_refundable"


async def test_passing_the_challenge_emits_a_signed_succeeded_event(
        provider: OfflineProvider) -> None:
    pending = await pay(provider, "pm_card_threeDSecure2Required")
    pi_id, secret = action_parts(pending.next_action_url)
    payload, header = await provider.complete_action(pi_id, secret, True)
    assert header.startswith("t=") and ",v1=" in header
    event = provider.parse_webhook(payload, header)
    assert event.id.startswith("evt_") and event.type == "payment_intent.succeeded"
    assert (event.payment_reference, event.status) == (pending.reference,
                                                       PaymentStatus.SUCCEEDED)
    assert (event.amount_minor, event.currency, event.created) == (5000, "USD", NOW)
    body = json.loads(payload)
    assert body["object"] == "event" and body["data"]["object"]["metadata"] == {
        "order_id": "42"}
    assert "client_secret" not in body["data"]["object"]
    assert (await provider.retrieve(pending.reference)).status is PaymentStatus.SUCCEEDED
    again, _ = await provider.complete_action(pi_id, secret, True)  # a double click
    assert json.loads(again)["id"] == event.id
    with pytest.raises(PaymentRequestRejected) as caught:
        await provider.complete_action(pi_id, secret, False)
    assert caught.value.code == "payment_intent_unexpected_state"


async def test_failing_the_challenge_emits_a_payment_failed_event(
        provider: OfflineProvider) -> None:
    pending = await pay(provider, "pm_card_authenticationRequired")
    payload, header = await provider.complete_action(
        *action_parts(pending.next_action_url), False)
    event = provider.parse_webhook(payload, header)
    assert (event.type, event.status) == ("payment_intent.payment_failed", PaymentStatus.FAILED)
    assert event.failure_code == "payment_intent_authentication_failure"
    assert "failed authentication" in (event.failure_message or "")
    assert (await provider.retrieve(pending.reference)).status is PaymentStatus.FAILED


async def test_another_process_can_complete_the_challenge(provider: OfflineProvider) -> None:
    pending = await pay(provider, "pm_card_threeDSecure2Required")
    other_process = OfflineProvider(SECRET, BASE, ManualClock())
    payload, header = await other_process.complete_action(
        *action_parts(pending.next_action_url), True)
    event = provider.parse_webhook(payload, header)
    assert (event.payment_reference, event.amount_minor) == (pending.reference, 5000)


async def test_a_forged_action_link_is_refused(provider: OfflineProvider) -> None:
    pending = await pay(provider, "pm_card_threeDSecure2Required")
    pi_id, secret = action_parts(pending.next_action_url)
    for forged in (secret.replace("5000.", "1."), secret[:-1] + "x", "", "5000.USD",
                   "５０００.USD.abc"):
        with pytest.raises(PaymentRequestRejected):
            await provider.complete_action(pi_id, forged, True)
    with pytest.raises(PaymentRequestRejected):
        await provider.complete_action("pi_other", secret, True)


async def test_webhooks_with_a_bad_signature_or_an_old_timestamp_are_refused(
        provider: OfflineProvider) -> None:
    pending = await pay(provider, "pm_card_threeDSecure2Required")
    payload, header = await provider.complete_action(
        *action_parts(pending.next_action_url), True)
    tampered = payload.replace(b'"amount":5000', b'"amount":1')
    assert tampered != payload
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(tampered, header)
    with pytest.raises(WebhookSignatureError):
        OfflineProvider("whsec_wrong", BASE, ManualClock()).parse_webhook(payload, header)
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(payload, sign_payload(payload, SECRET, int(time.time()) - 301))
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(payload, "")
    with pytest.raises(WebhookSignatureError):
        provider.parse_webhook(payload, "garbage")
    assert provider.parse_webhook(
        payload, sign_payload(payload, SECRET, int(time.time()) - 200)).id


def test_a_signed_body_that_is_not_an_event_is_a_value_error(
        provider: OfflineProvider) -> None:
    for body in (b"not json", b'{"object": "event"}'):
        with pytest.raises(ValueError) as caught:
            provider.parse_webhook(body, sign_payload(body, SECRET))
        assert not isinstance(caught.value, WebhookSignatureError)


@pytest.mark.parametrize("refunded,status", [(1500, PaymentStatus.PARTIALLY_REFUNDED),
                                             (5000, PaymentStatus.REFUNDED)])
def test_a_stripe_charge_refunded_event(provider: OfflineProvider, refunded: int,
                                        status: PaymentStatus) -> None:
    payload = json.dumps({
        "id": "evt_1", "object": "event", "type": "charge.refunded", "created": 1767225600,
        "data": {"object": {"id": "ch_1", "object": "charge", "amount": 5000,
                            "amount_refunded": refunded, "currency": "usd",
                            "payment_intent": "pi_123", "failure_message": None}}}).encode()
    event = provider.parse_webhook(payload, sign_payload(payload, SECRET))
    assert (event.payment_reference, event.amount_minor, event.amount_refunded_minor,
            event.status) == ("pi_123", 5000, refunded, status)


def test_build_provider_is_offline_without_a_stripe_key(clock: ManualClock) -> None:
    offline = build_provider(Settings(), clock)
    assert offline.name == "offline"
    stripe = build_provider(Settings(stripe_api_key="sk_test_x",
                                     stripe_api_base="http://127.0.0.1:1"), clock)
    assert stripe.name == "stripe"


async def test_cancel_an_intent_waiting_for_an_action(provider: OfflineProvider) -> None:
    pending = await pay(provider, "pm_card_threeDSecure2Required")
    cancelled = await provider.cancel(pending.reference)
    assert cancelled.status is PaymentStatus.CANCELED and cancelled.next_action_url is None
    assert (await provider.cancel(pending.reference)).status is PaymentStatus.CANCELED
    assert (await provider.retrieve(pending.reference)).status is PaymentStatus.CANCELED
    with pytest.raises(PaymentRequestRejected):  # the challenge can no longer take money
        await provider.complete_action(*action_parts(pending.next_action_url or ""),
                                       succeed=True)


async def test_cancel_a_succeeded_intent_answers_it_succeeded(
        provider: OfflineProvider) -> None:
    paid = await pay(provider, "pm_card_visa")
    assert (await provider.cancel(paid.reference)).status is PaymentStatus.SUCCEEDED
    with pytest.raises(PaymentRequestRejected):
        await provider.cancel("pi_unknown")
