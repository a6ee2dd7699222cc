"""A fake payment provider for the domain services' unit tests: answers from a script
(`next_status`, `down`), remembers the requests it was sent (idempotency keys included) and
refunds once per key, as the real ones do."""
from __future__ import annotations

from typing import TYPE_CHECKING

from domain.payments.provider import (
    IntentResult,
    PaymentProviderUnavailable,
    PaymentStatus,
    RefundResult,
    RefundTooLarge,
    WebhookEvent,
)

if TYPE_CHECKING:
    from domain.payments.provider import PaymentProvider


class FakeProvider:
    name = "fake"

    def __init__(self, next_status: PaymentStatus = PaymentStatus.SUCCEEDED) -> None:
        self.next_status = next_status
        self.down = False
        self.intents: dict[str, IntentResult] = {}  # idempotency key -> intent
        self.refunds: dict[str, RefundResult] = {}  # idempotency key -> refund
        self.refunded: dict[str, int] = {}  # intent reference -> refunded minor units
        self.cancelled: list[str] = []

    def _check(self) -> None:
        if self.down:
            raise PaymentProviderUnavailable()

    async def create_and_confirm(self, *, amount_minor: int, currency: str,
                                 payment_method: str, idempotency_key: str,
                                 metadata: dict[str, str], return_url: str) -> IntentResult:
        self._check()
        if idempotency_key not in self.intents:
            self.intents[idempotency_key] = IntentResult(
                "fake", f"pi_{len(self.intents) + 1}", self.next_status, amount_minor, currency,
                client_secret=None)
        return self.intents[idempotency_key]

    def _intent(self, reference: str) -> IntentResult:
        return next(i for i in self.intents.values() if i.reference == reference)

    async def retrieve(self, reference: str) -> IntentResult:
        self._check()
        return self._intent(reference)

    async def refund(self, *, reference: str, amount_minor: int,
                     idempotency_key: str) -> RefundResult:
        self._check()
        if idempotency_key in self.refunds:
            return self.refunds[idempotency_key]
        captured = self._intent(reference).amount_minor if self.intents else amount_minor
        if self.refunded.get(reference, 0) + amount_minor > captured:
            raise RefundTooLarge("more than what is left")
        self.refunded[reference] = self.refunded.get(reference, 0) + amount_minor
        refund = self.refunds[idempotency_key] = RefundResult(
            f"re_{len(self.refunds) + 1}", amount_minor, "succeeded")
        return refund

    async def cancel(self, reference: str) -> IntentResult:
        self._check()
        self.cancelled.append(reference)
        intent = self._intent(reference)
        return IntentResult(intent.provider, intent.reference, PaymentStatus.CANCELED,
                            intent.amount_minor, intent.currency, client_secret=None)

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        raise NotImplementedError("webhooks are tested through the API")


if TYPE_CHECKING:
    def _conforms(provider: FakeProvider) -> PaymentProvider:
        return provider
