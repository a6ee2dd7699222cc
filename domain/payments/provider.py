"""The payment provider port, in Stripe's vocabulary (docs/rules.md, "Payment providers").

Adapters (`adapters/payments/`: `offline`, `stripe`) answer with the values below; the orders
code never sees a provider SDK object. Rules:

- A provider payment is a PaymentIntent (reference = its id, `pi_...`), created and confirmed
  in one call with an idempotency key: the same key returns the same intent.
- `to_payment_status` is the one mapping from a PaymentIntent's status to our PaymentStatus:

  ============================  ===========================================================
  requires_payment_method        INITIATED, or FAILED when it carries a last_payment_error
                                 (a declined card or a failed 3-D Secure challenge leaves
                                 the intent here, waiting for another payment method)
  requires_confirmation          INITIATED
  requires_action                REQUIRES_ACTION (the buyer must complete a challenge)
  processing                     PROCESSING
  requires_capture               PROCESSING (authorised, not captured: we capture at once,
                                 so only seen if someone changes the capture method)
  succeeded                      SUCCEEDED; PARTIALLY_REFUNDED when 0 < refunded < amount;
                                 REFUNDED when refunded >= amount
  canceled                       CANCELED
  ============================  ===========================================================

- Amounts are integer minor units; currencies are ISO 4217 upper case ("USD") on our side,
  whatever case the provider uses.
- Errors: `PaymentProviderUnavailable` (network, timeouts, 5xx, rate limits, bad credentials:
  nothing was charged, try again later -> PAYMENT_PROVIDER_UNAVAILABLE);
  `PaymentRequestRejected` (the provider refused the request itself: unknown payment method
  or reference, idempotency key reused with other parameters, nothing to refund);
  `RefundTooLarge` (also a ValueError: more than what is left to refund);
  `WebhookSignatureError` (also a ValueError: bad signature or timestamp older than 300 s).
  A declined card is not an error: it is an IntentResult with status FAILED.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from domain.errors import DomainError

WEBHOOK_TOLERANCE_SECONDS = 300


class PaymentIntentStatus(StrEnum):
    """Stripe's PaymentIntent.status values."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


class PaymentStatus(StrEnum):
    """Our Payment.status (the contract's PaymentStatus enum)."""

    INITIATED = "INITIATED"
    REQUIRES_ACTION = "REQUIRES_ACTION"
    PROCESSING = "PROCESSING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    REFUNDED = "REFUNDED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"


_DIRECT = {
    PaymentIntentStatus.REQUIRES_CONFIRMATION: PaymentStatus.INITIATED,
    PaymentIntentStatus.REQUIRES_ACTION: PaymentStatus.REQUIRES_ACTION,
    PaymentIntentStatus.PROCESSING: PaymentStatus.PROCESSING,
    PaymentIntentStatus.REQUIRES_CAPTURE: PaymentStatus.PROCESSING,
    PaymentIntentStatus.CANCELED: PaymentStatus.CANCELED,
}


def to_payment_status(intent_status: str, *, has_payment_error: bool = False,
                      amount_minor: int = 0, refunded_minor: int = 0) -> PaymentStatus:
    """Our status for a PaymentIntent status (table in the module docstring).

    `has_payment_error`: the intent carries a last_payment_error (decline, failed challenge).
    `amount_minor` / `refunded_minor`: what was captured and what has been refunded of it, for
    a succeeded intent. Raises ValueError for a status Stripe does not define."""
    status = PaymentIntentStatus(intent_status)
    if status is PaymentIntentStatus.REQUIRES_PAYMENT_METHOD:
        return PaymentStatus.FAILED if has_payment_error else PaymentStatus.INITIATED
    if status is PaymentIntentStatus.SUCCEEDED:
        if refunded_minor <= 0:
            return PaymentStatus.SUCCEEDED
        if refunded_minor >= amount_minor:
            return PaymentStatus.REFUNDED
        return PaymentStatus.PARTIALLY_REFUNDED
    return _DIRECT[status]


@dataclass(frozen=True)
class IntentResult:
    """A PaymentIntent as the provider last described it.

    `status` is ours (to_payment_status); `provider_status` is the provider's own.
    `next_action_type` is "REDIRECT_TO_URL" (send the buyer to `next_action_url`),
    "USE_STRIPE_SDK" (the client SDK handles it with `client_secret`) or None.
    `failure_code` / `failure_message` come from last_payment_error (e.g. "card_declined",
    "Your card was declined.")."""

    provider: str
    reference: str
    status: PaymentStatus
    amount_minor: int
    currency: str
    client_secret: str | None
    next_action_type: str | None = None
    next_action_url: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    provider_status: str | None = None
    amount_refunded_minor: int = 0


@dataclass(frozen=True)
class RefundResult:
    """A Refund (`re_...`); status in Stripe's terms: pending, succeeded, failed, canceled,
    requires_action."""

    reference: str
    amount_minor: int
    status: str


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event, reduced to what applying a payment outcome needs.

    `payment_reference` is the PaymentIntent id (for charge.* events: the charge's intent).
    `status` is the PaymentStatus the event implies, None when it implies none (an event type we
    do not act on). `amount_refunded_minor` is the total refunded so far (charge.refunded),
    None when the event says nothing about refunds."""

    id: str
    type: str
    payment_reference: str | None
    amount_minor: int | None
    amount_refunded_minor: int | None
    failure_message: str | None
    created: datetime
    status: PaymentStatus | None = None
    currency: str | None = None
    failure_code: str | None = None


class PaymentProviderUnavailable(Exception):
    """The provider could not be reached or failed (network, timeout, 5xx, rate limit,
    credentials). Nothing is known to have been charged; the same idempotency key may be
    retried later. `retry_after_seconds`: when the circuit breaker (adapters/payments/breaker.py) is
    open, how long until it lets a call through again."""

    def __init__(self, message: str = "The payment provider is unavailable.", *,
                 retry_after_seconds: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds

    def as_user_error(self, message: str) -> DomainError:
        """PAYMENT_PROVIDER_UNAVAILABLE for a payload's userErrors, with retryAfterSeconds."""
        data: dict[str, object] = {}
        if self.retry_after_seconds is not None:
            message = f"{message} Retry in {self.retry_after_seconds} s."
            data["retryAfterSeconds"] = self.retry_after_seconds
        return DomainError("PAYMENT_PROVIDER_UNAVAILABLE", message, data=data)


class PaymentRequestRejected(Exception):
    """The provider refused the request itself (Stripe's invalid_request_error): unknown payment
    method or reference, idempotency key reused with other parameters, nothing to refund.
    `code` is the provider's error code (e.g. "resource_missing"), `param` the offending
    parameter when known (e.g. "payment_method")."""

    def __init__(self, message: str, *, code: str | None = None,
                 param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param


class RefundTooLarge(PaymentRequestRejected, ValueError):
    """A refund of more than what is left of the captured amount."""


class WebhookSignatureError(ValueError):
    """A webhook whose Stripe-Signature is missing, wrong, or older than the tolerance."""


class PaymentProvider(Protocol):
    """What the orders code needs from a payment provider. Every call is safe to repeat with the
    same idempotency key. None of them may run inside an open database transaction."""

    name: str

    async def create_and_confirm(self, *, amount_minor: int, currency: str,
                                 payment_method: str, idempotency_key: str,
                                 metadata: dict[str, str], return_url: str) -> IntentResult:
        """Create and confirm a PaymentIntent. A decline is a FAILED result, not an error."""
        ...

    async def retrieve(self, reference: str) -> IntentResult:
        ...

    async def refund(self, *, reference: str, amount_minor: int,
                     idempotency_key: str) -> RefundResult:
        """Refund part or all of a succeeded intent; RefundTooLarge beyond what is left."""
        ...

    async def cancel(self, reference: str) -> IntentResult:
        """Cancel an intent that has not succeeded (e.g. one waiting for 3-D Secure), so it
        can no longer take money. Answers the intent as it stands afterwards: CANCELED, or
        SUCCEEDED (or refunded) when it had already succeeded, which the caller then
        refunds. Cancelling a cancelled intent answers it again (safe to repeat)."""
        ...

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        """Verify the Stripe-Signature header (tolerance 300 s) and read the event."""
        ...
