"""The Stripe payment provider: the stripe SDK (async methods, httpx underneath).

Rules:
- A payment is one PaymentIntent created with confirm=true, cards only, the order's metadata,
  return_url (where Stripe sends the buyer back after a redirect challenge: next_action
  redirect_to_url), and the caller's idempotency key as Stripe's Idempotency-Key: retrying with
  the same key replays Stripe's first answer. "Cards only" is allowed_payment_method_types=
  ["card"]: the API version stripe 16 pins (2026-10-28.endive) refuses the older
  payment_method_types parameter, and allowed_payment_method_types excludes automatic payment
  methods.
- `localstripe=True` (the default when an api_base is given: STRIPE_API_BASE is for test
  doubles) sends neither return_url nor allowed_payment_method_types, which localstripe refuses
  as unknown parameters; it allows cards only anyway, and answers a challenge with next_action
  use_stripe_sdk (USE_STRIPE_SDK, for the client SDK), as Stripe does without a return_url.
- A card error (HTTP 402) is a FAILED result, not an exception: the intent comes from the error
  body (Stripe) or, when the body only names the charge (localstripe), from that charge.
- Connection errors, timeouts, 5xx, 409, rate limits and rejected credentials raise
  PaymentProviderUnavailable (the SDK first retries `max_network_retries` times with the same
  idempotency key); invalid requests raise PaymentRequestRejected; a refund beyond what is left
  raises RefundTooLarge.
- Cancel: PaymentIntent cancel; Stripe refuses to cancel a succeeded (or canceled) intent
  (payment_intent_unexpected_state; localstripe: "Bad request"), and then the intent is
  retrieved and answered as it is.
- Webhooks: stripe.Webhook.construct_event, tolerance 300 s (adapters/payments/stripe_objects.py).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import stripe

from domain.payments.provider import (
    IntentResult,
    PaymentProviderUnavailable,
    PaymentRequestRejected,
    PaymentStatus,
    RefundResult,
    RefundTooLarge,
    WebhookEvent,
)
from adapters.payments.stripe_objects import intent_result, parse_event, refund_result

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses
    from stripe.params import PaymentIntentCreateParams

log = logging.getLogger("marketplace.payments")
_REFUND_TOO_LARGE = {"amount_too_large", "charge_already_refunded"}
_SETTLED = {PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED,
            PaymentStatus.CANCELED}


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, webhook_secret: str, api_base: str | None = None, *,
                 localstripe: bool | None = None, timeout_seconds: float = 20.0,
                 max_network_retries: int = 2) -> None:
        addresses: BaseAddresses = {"api": api_base} if api_base else {}
        self._http = stripe.HTTPXClient(timeout=timeout_seconds)
        self._client = stripe.StripeClient(
            api_key, base_addresses=addresses, max_network_retries=max_network_retries,
            http_client=self._http)
        self._webhook_secret = webhook_secret
        self._localstripe = api_base is not None if localstripe is None else localstripe

    async def create_and_confirm(self, *, amount_minor: int, currency: str,
                                 payment_method: str, idempotency_key: str,
                                 metadata: dict[str, str], return_url: str) -> IntentResult:
        params: PaymentIntentCreateParams = {
            "amount": amount_minor, "currency": currency.lower(),
            "payment_method": payment_method, "confirm": True, "metadata": dict(metadata)}
        if not self._localstripe:
            params["allowed_payment_method_types"] = ["card"]
            params["return_url"] = return_url
        try:
            intent = await self._client.v1.payment_intents.create_async(
                params, {"idempotency_key": idempotency_key})
        except stripe.CardError as exc:
            return await self._declined(exc)
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return intent_result(intent.to_dict(), self.name)

    async def retrieve(self, reference: str) -> IntentResult:
        try:
            intent = await self._client.v1.payment_intents.retrieve_async(
                reference, {"expand": ["latest_charge"]})
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return intent_result(intent.to_dict(), self.name)

    async def refund(self, *, reference: str, amount_minor: int,
                     idempotency_key: str) -> RefundResult:
        try:
            refund = await self._client.v1.refunds.create_async(
                {"payment_intent": reference, "amount": amount_minor},
                {"idempotency_key": idempotency_key})
        except stripe.InvalidRequestError as exc:
            if exc.code in _REFUND_TOO_LARGE:
                raise RefundTooLarge(exc.user_message or "Refund too large.", code=exc.code,
                                     param="amount") from exc
            raise _translate(exc) from exc
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return refund_result(refund.to_dict())

    async def cancel(self, reference: str) -> IntentResult:
        try:
            intent = await self._client.v1.payment_intents.cancel_async(reference)
        except stripe.InvalidRequestError as exc:
            # Stripe: payment_intent_unexpected_state; localstripe: a bare "Bad request".
            current = await self.retrieve(reference)
            if current.status in _SETTLED:
                return current
            raise _translate(exc) from exc
        except stripe.StripeError as exc:
            raise _translate(exc) from exc
        return intent_result(intent.to_dict(), self.name)

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        return parse_event(payload, signature_header, self._webhook_secret)

    async def aclose(self) -> None:
        """Close the HTTP connection pool (the app's shutdown)."""
        await self._http.close_async()

    async def _declined(self, exc: stripe.CardError) -> IntentResult:
        body: Any = exc.json_body if isinstance(exc.json_body, dict) else {}
        error = body.get("error") or {}
        if isinstance(error.get("payment_intent"), dict):
            return intent_result(error["payment_intent"], self.name)
        if isinstance(error.get("charge"), str):
            try:
                charge = await self._client.v1.charges.retrieve_async(error["charge"])
            except stripe.StripeError as inner:
                raise _translate(inner) from inner
            if isinstance(charge.payment_intent, str):
                return await self.retrieve(charge.payment_intent)
        raise PaymentRequestRejected(exc.user_message or "Your card was declined.",
                                     code=exc.code or "card_declined", param="payment_method")


def _translate(exc: stripe.StripeError) -> Exception:
    if isinstance(exc, stripe.IdempotencyError):
        return PaymentRequestRejected(exc.user_message or str(exc), code="idempotency_error")
    if isinstance(exc, stripe.InvalidRequestError):
        return PaymentRequestRejected(exc.user_message or str(exc), code=exc.code,
                                      param=exc.param)
    log.warning("stripe unavailable: %s %s", type(exc).__name__, exc.user_message)
    return PaymentProviderUnavailable(
        f"Stripe is unavailable ({type(exc).__name__}): {exc.user_message or ''}".strip())
