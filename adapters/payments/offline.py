"""The offline payment provider: Stripe's test payment methods, Stripe's shapes, no network.

Outcome by payment method token (Stripe's test tokens):
- a token containing "chargeDeclined" or "chargeCustomerFail" (pm_card_chargeDeclined,
  pm_card_visa_chargeDeclined...): declined, failure_code "card_declined", "Your card was
  declined."; the intent stays in requires_payment_method with that last_payment_error (FAILED);
- pm_card_threeDSecure2Required, pm_card_threeDSecureRequired, pm_card_authenticationRequired:
  requires_action, next action REDIRECT_TO_URL to the app's action page
  `{public_base_url}/payments/offline/action/{pi}?secret=<amount>.<CUR>.<mac>`;
- anything else (pm_card_visa, pm_card_mastercard, a saved pm_...): succeeded at once.

Determinism instead of shared state: the intent id, client secret, charge, refund and event ids
are HMAC-SHA256 of the idempotency key (or intent id) under the webhook secret, and the outcome
is a function of the request. Any process holding the same secret answers the same idempotency
key with the same intent, like Stripe replaying its first response. The action link's secret
is a MAC over (intent, amount, currency) that also carries the amount and currency, so any
process can complete a challenge. What happens after creation (a completed challenge, refunds)
is kept in an IntentStore (offline_store.py); `retrieve` and `refund` need it.

`complete_action(pi, secret, succeed)` plays the buyer's answer to the challenge and returns a
Stripe event (payment_intent.succeeded or payment_intent.payment_failed) with its
Stripe-Signature header; the app posts it to its own webhook handler. Repeating the same answer
returns the same event id (handlers dedupe); the other answer is refused. Event `created` is the
injected clock's time; the signature's timestamp is the real time, because the stripe library
checks the 300 s tolerance against the real time.

Cancel: an intent that has not succeeded becomes canceled (its challenge can then no longer
be completed: the action page refuses); a succeeded or canceled one is answered as it is.

Refunds: only of a succeeded intent, in parts or whole, never more than what is left
(RefundTooLarge); the same idempotency key returns the same refund.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import string
from dataclasses import replace
from typing import Any

from domain.clock import Clock
from domain.payments.provider import (
    IntentResult,
    PaymentIntentStatus,
    PaymentRequestRejected,
    RefundResult,
    RefundTooLarge,
    WebhookEvent,
)
from adapters.payments.offline_store import InMemoryIntentStore, IntentStore, OfflineIntent
from adapters.payments.stripe_objects import intent_result, parse_event, sign_payload

_ACTION = re.compile(r"^pm_card_(threeDSecure2?Required|authenticationRequired)")
_ALPHABET = string.digits + string.ascii_letters
DECLINE = ("card_declined", "Your card was declined.")
AUTH_FAILED = ("payment_intent_authentication_failure",
               "The provided PaymentMethod has failed authentication.")


def outcome(payment_method: str) -> PaymentIntentStatus:
    """What confirming with this token does: succeeded, requires_action or (declined)
    requires_payment_method."""
    if "chargeDeclined" in payment_method or "chargeCustomerFail" in payment_method:
        return PaymentIntentStatus.REQUIRES_PAYMENT_METHOD
    if _ACTION.match(payment_method):
        return PaymentIntentStatus.REQUIRES_ACTION
    return PaymentIntentStatus.SUCCEEDED


class OfflineProvider:
    name = "offline"

    def __init__(self, webhook_secret: str, public_base_url: str, clock: Clock, *,
                 store: IntentStore | None = None) -> None:
        self._secret = webhook_secret
        self._base_url = public_base_url.rstrip("/")
        self._clock = clock
        self._store: IntentStore = store or InMemoryIntentStore()
        self._lock = asyncio.Lock()

    # --- the port
    async def create_and_confirm(self, *, amount_minor: int, currency: str,
                                 payment_method: str, idempotency_key: str,
                                 metadata: dict[str, str], return_url: str) -> IntentResult:
        if amount_minor <= 0:
            raise PaymentRequestRejected("Amount must be at least 1 minor unit.",
                                         code="amount_too_small", param="amount")
        first = self._new_intent(self._id("pi", idempotency_key), amount_minor,
                                 currency.upper(), payment_method, dict(metadata))
        # One atomic store step, no lock: a process-wide lock around a read and a write
        # queued every checkout of the process behind the others' (docs/architecture.md,
        # "checkoutComplete under load").
        known = await self._store.add(first)
        if known is not None and (known.amount_minor, known.currency,
                                  known.payment_method) != (
                first.amount_minor, first.currency, first.payment_method):
            raise PaymentRequestRejected(
                "Keys for idempotent requests can only be used with the same parameters "
                "they were first used with.", code="idempotency_error")
        return self._result(first)

    async def retrieve(self, reference: str) -> IntentResult:
        return self._result(await self._get(reference))

    async def refund(self, *, reference: str, amount_minor: int,
                     idempotency_key: str) -> RefundResult:
        if amount_minor <= 0:
            raise PaymentRequestRejected("Refund amount must be positive.",
                                         code="parameter_invalid_integer", param="amount")
        refund_id = self._id("re", reference, idempotency_key)
        async with self._lock:
            intent = await self._get(reference)
            earlier = dict(intent.refunds).get(refund_id)
            if earlier is not None:
                if earlier != amount_minor:
                    raise PaymentRequestRejected(
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.", code="idempotency_error")
                return RefundResult(refund_id, earlier, "succeeded")
            if intent.status is not PaymentIntentStatus.SUCCEEDED:
                raise PaymentRequestRejected(
                    f"PaymentIntent {reference} does not have a successful charge to refund.",
                    code="charge_not_refundable")
            left = intent.amount_minor - intent.refunded_minor
            if amount_minor > left:
                raise RefundTooLarge(
                    f"Refund amount ({amount_minor}) is greater than the unrefunded amount on "
                    f"the charge ({left}).", code="amount_too_large", param="amount")
            await self._store.put(
                replace(intent, refunds=intent.refunds + ((refund_id, amount_minor),)))
        return RefundResult(refund_id, amount_minor, "succeeded")

    async def cancel(self, reference: str) -> IntentResult:
        async with self._lock:
            intent = await self._get(reference)
            if intent.status not in (PaymentIntentStatus.SUCCEEDED,
                                     PaymentIntentStatus.CANCELED):
                intent = replace(intent, status=PaymentIntentStatus.CANCELED,
                                 next_action_url=None)
                await self._store.put(intent)
        return self._result(intent)

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        return parse_event(payload, signature_header, self._secret)

    # --- the action page
    async def complete_action(self, pi_id: str, secret: str, succeed: bool) -> tuple[bytes, str]:
        """The buyer passed (`succeed`) or failed the challenge: the signed event to post to
        the webhook handler, as (payload, Stripe-Signature header). PaymentRequestRejected
        for a wrong secret or an intent that no longer awaits this answer."""
        amount, currency = self._check_action_secret(pi_id, secret)
        async with self._lock:
            intent = await self._store.get(pi_id) or self._new_intent(
                pi_id, amount, currency, None, {}, status=PaymentIntentStatus.REQUIRES_ACTION)
            done = self._completed(intent, succeed)
            if intent.status is PaymentIntentStatus.REQUIRES_ACTION:
                await self._store.put(done)
            elif intent != done:
                raise PaymentRequestRejected(
                    f"PaymentIntent {pi_id} is {intent.status}, it no longer awaits an action.",
                    code="payment_intent_unexpected_state")
        return self._event(done, "payment_intent.succeeded" if succeed
                           else "payment_intent.payment_failed")

    # --- helpers
    def _mac(self, *parts: str, length: int = 24) -> str:
        """HMAC-SHA256 of the parts under the webhook secret, as `length` base-62 characters."""
        message = "\x1f".join(("offline", *parts)).encode()
        number = int.from_bytes(hmac.new(self._secret.encode(), message, hashlib.sha256)
                                .digest(), "big")
        chars = []
        for _ in range(length):
            number, digit = divmod(number, 62)
            chars.append(_ALPHABET[digit])
        return "".join(chars)

    def _id(self, kind: str, *parts: str) -> str:
        """A Stripe-looking id (pi_..., re_..., ch_..., evt_...) derived from the parts."""
        return f"{kind}_{self._mac(kind, *parts)}"

    def _action_secret(self, pi_id: str, amount: int, currency: str) -> str:
        mac = self._mac("action", pi_id, str(amount), currency, length=32)
        return f"{amount}.{currency}.{mac}"

    def _check_action_secret(self, pi_id: str, secret: str) -> tuple[int, str]:
        parts = re.fullmatch(r"([0-9]{1,15})\.([A-Z]{3})\.[0-9A-Za-z]+", secret)
        if parts is not None:
            amount, currency = int(parts[1]), parts[2]
            expected = self._action_secret(pi_id, amount, currency)
            if hmac.compare_digest(secret.encode(), expected.encode()):
                return amount, currency
        raise PaymentRequestRejected("This payment action link is not valid.",
                                     code="invalid_secret")

    def _new_intent(self, pi_id: str, amount: int, currency: str, payment_method: str | None,
                    metadata: dict[str, str], *,
                    status: PaymentIntentStatus | None = None) -> OfflineIntent:
        status = status or outcome(payment_method or "")
        failure = DECLINE if status is PaymentIntentStatus.REQUIRES_PAYMENT_METHOD else None
        url = None
        if status is PaymentIntentStatus.REQUIRES_ACTION:
            url = (f"{self._base_url}/payments/offline/action/{pi_id}"
                   f"?secret={self._action_secret(pi_id, amount, currency)}")
        return OfflineIntent(
            id=pi_id, amount_minor=amount, currency=currency, payment_method=payment_method,
            status=status, created=int(self._clock.now().timestamp()),
            client_secret=f"{pi_id}_secret_{self._mac('secret', pi_id)}", metadata=metadata,
            next_action_url=url, failure_code=failure[0] if failure else None,
            failure_message=failure[1] if failure else None)

    def _completed(self, intent: OfflineIntent, succeed: bool) -> OfflineIntent:
        if succeed:
            return replace(intent, status=PaymentIntentStatus.SUCCEEDED, next_action_url=None)
        return replace(intent, status=PaymentIntentStatus.REQUIRES_PAYMENT_METHOD,
                       next_action_url=None, failure_code=AUTH_FAILED[0],
                       failure_message=AUTH_FAILED[1])

    async def _get(self, reference: str) -> OfflineIntent:
        intent = await self._store.get(reference)
        if intent is None:
            raise PaymentRequestRejected(f"No such payment_intent: '{reference}'",
                                         code="resource_missing", param="intent")
        return intent

    def _result(self, intent: OfflineIntent) -> IntentResult:
        return intent_result(self._stripe_intent(intent), self.name)

    def _stripe_intent(self, intent: OfflineIntent) -> dict[str, Any]:
        """The intent as Stripe's API would show it (latest_charge expanded)."""
        paid = intent.status is PaymentIntentStatus.SUCCEEDED
        charge = None
        if paid or intent.failure_code == DECLINE[0]:
            refunded = intent.refunded_minor
            charge = {"id": self._id("ch", intent.id), "object": "charge",
                      "amount": intent.amount_minor, "amount_refunded": refunded,
                      "currency": intent.currency.lower(), "payment_intent": intent.id,
                      "refunded": paid and refunded >= intent.amount_minor,
                      "status": "succeeded" if paid else "failed",
                      "failure_code": intent.failure_code,
                      "failure_message": intent.failure_message}
        error = None
        if intent.failure_code:
            error = {"type": "card_error" if charge else "invalid_request_error",
                     "code": intent.failure_code, "message": intent.failure_message}
        return {
            "id": intent.id, "object": "payment_intent", "amount": intent.amount_minor,
            "amount_received": intent.amount_minor if paid else 0,
            "currency": intent.currency.lower(), "status": str(intent.status),
            "client_secret": intent.client_secret, "created": intent.created,
            "capture_method": "automatic", "confirmation_method": "automatic",
            "livemode": False, "metadata": dict(intent.metadata),
            "payment_method": intent.payment_method, "payment_method_types": ["card"],
            "latest_charge": charge, "last_payment_error": error,
            "next_action": {"type": "redirect_to_url", "redirect_to_url": {
                "url": intent.next_action_url, "return_url": None}}
            if intent.next_action_url else None,
        }

    def _event(self, intent: OfflineIntent, event_type: str) -> tuple[bytes, str]:
        body = self._stripe_intent(intent)
        body.pop("client_secret")
        event = {"id": self._id("evt", intent.id, event_type), "object": "event",
                 "api_version": "2024-06-20", "created": int(self._clock.now().timestamp()),
                 "livemode": False, "pending_webhooks": 1, "type": event_type,
                 "request": {"id": None, "idempotency_key": None},
                 "data": {"object": body}}
        payload = json.dumps(event, separators=(",", ":")).encode()
        return payload, sign_payload(payload, self._secret)
