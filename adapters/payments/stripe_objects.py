"""Stripe-shaped JSON <-> the port's values, shared by both adapters.

Both providers speak Stripe's wire format: the offline provider builds PaymentIntent and Event
dicts the way Stripe does, so one reader serves both. Rules:

- `intent_result` reads a PaymentIntent dict (from the API, a webhook, or the offline
  provider). `latest_charge` may be an id or an expanded charge; only an expanded one tells
  how much was refunded.
- Webhooks are verified with the stripe library (`stripe.Webhook.construct_event`, tolerance
  300 s against the real time, as Stripe's own verifier does) and signed with its public test
  helper `stripe.WebhookSignature.generate_signature_header`: header `t=<unix>,v1=<hex
  HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint secret>`.
- A payload with a good signature that is not a Stripe event raises ValueError; a bad
  signature raises WebhookSignatureError (also a ValueError): the webhook route answers 400.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any, Mapping

import stripe

from domain.payments.provider import (
    WEBHOOK_TOLERANCE_SECONDS,
    IntentResult,
    PaymentStatus,
    RefundResult,
    WebhookEvent,
    WebhookSignatureError,
    to_payment_status,
)


def intent_result(pi: Mapping[str, Any], provider: str) -> IntentResult:
    error = pi.get("last_payment_error") or {}
    charge = pi.get("latest_charge")
    refunded = int(charge.get("amount_refunded") or 0) if isinstance(charge, Mapping) else 0
    amount = int(pi["amount"])
    captured = int(pi.get("amount_received") or amount)
    action = pi.get("next_action") or {}
    action_type = action.get("type")
    url = None
    if action_type == "redirect_to_url":
        url = (action.get("redirect_to_url") or {}).get("url")
    return IntentResult(
        provider=provider,
        reference=str(pi["id"]),
        status=to_payment_status(str(pi["status"]), has_payment_error=bool(error),
                                 amount_minor=captured, refunded_minor=refunded),
        amount_minor=amount,
        currency=str(pi["currency"]).upper(),
        client_secret=pi.get("client_secret"),
        next_action_type=None if not action_type else (
            "REDIRECT_TO_URL" if action_type == "redirect_to_url" else "USE_STRIPE_SDK"),
        next_action_url=url,
        failure_code=error.get("code"),
        failure_message=error.get("message"),
        provider_status=str(pi["status"]),
        amount_refunded_minor=refunded,
    )


def refund_result(refund: Mapping[str, Any]) -> RefundResult:
    return RefundResult(reference=str(refund["id"]), amount_minor=int(refund["amount"]),
                        status=str(refund.get("status") or "succeeded"))


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `payload` (now, unless a unix timestamp is given)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return str(stripe.WebhookSignature.generate_signature_header(
        payload.decode("utf-8"), secret, timestamp=ts))


def parse_event(payload: bytes, signature_header: str, secret: str) -> WebhookEvent:
    try:
        stripe.Webhook.construct_event(payload, signature_header, secret,
                                       tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise WebhookSignatureError(exc.user_message or "Invalid Stripe-Signature.") from exc
    except (ValueError, RecursionError, AttributeError, TypeError) as exc:
        # the library parses the body before reading it as an object
        raise ValueError("The webhook body is not a Stripe event.") from exc
    try:
        return _read_event(json.loads(payload))
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError,
            RecursionError) as exc:
        # A signed body that is not an event (not an object, `data.object` not an object,
        # a `created` no clock can hold, ...): the caller answers 400.
        raise ValueError("The webhook body is not a Stripe event.") from exc


def _identifier(value: Any, limit: int) -> str:
    """An event id, type or PaymentIntent id as Stripe writes them (1 to `limit` printable
    characters, the columns they are kept in); ValueError otherwise."""
    text = str(value)
    if not text or len(text) > limit or not text.isprintable():
        raise ValueError(f"not an identifier: {text[:40]!r}")
    return text


def _read_event(event: Mapping[str, Any]) -> WebhookEvent:
    obj: Mapping[str, Any] = event["data"]["object"]
    kind, event_type = obj.get("object"), str(event["type"])
    status: PaymentStatus | None = None
    reference, amount, refunded = obj.get("payment_intent"), obj.get("amount"), None
    failure_code, failure_message = obj.get("failure_code"), obj.get("failure_message")
    if kind == "payment_intent":
        error = obj.get("last_payment_error") or {}
        reference = obj["id"]
        failure_code, failure_message = error.get("code"), error.get("message")
        try:
            status = intent_result(obj, "").status
        except ValueError:  # a status Stripe adds later: acknowledge, act on nothing
            status = None
    elif kind == "charge":
        refunded = int(obj.get("amount_refunded") or 0)
        if event_type == "charge.refunded" and refunded > 0:
            status = (PaymentStatus.REFUNDED if refunded >= int(obj["amount"])
                      else PaymentStatus.PARTIALLY_REFUNDED)
    currency = obj.get("currency")
    return WebhookEvent(
        id=_identifier(event["id"], 100),
        type=_identifier(event_type, 60),
        payment_reference=_identifier(reference, 100) if isinstance(reference, str) else None,
        amount_minor=int(amount) if amount is not None else None,
        amount_refunded_minor=refunded,
        failure_message=str(failure_message).replace("\x00", "")[:500]
        if failure_message is not None else None,
        created=datetime.fromtimestamp(int(event["created"]), timezone.utc),
        status=status,
        currency=str(currency).upper() if currency else None,
        failure_code=failure_code,
    )
