"""Where the offline provider keeps what happened to an intent after its creation.

Creation needs no storage (ids and outcomes are derived from the idempotency key, see
adapters/payments/offline.py); what comes later does: a completed challenge and the refunds. The
provider reads and writes one `OfflineIntent` per PaymentIntent id through `IntentStore`.
`InMemoryIntentStore` (the default) is per process: with several workers, `retrieve` and
`refund` only know intents created or completed in their own process, so a multi-process
deployment of the offline provider passes a shared store (e.g. one backed by the database).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from domain.payments.provider import PaymentIntentStatus


@dataclass(frozen=True)
class OfflineIntent:
    id: str
    amount_minor: int
    currency: str
    payment_method: str | None
    status: PaymentIntentStatus
    created: int
    client_secret: str
    metadata: dict[str, str] = field(default_factory=dict)
    next_action_url: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    # (refund id, amount) in the order they were made
    refunds: tuple[tuple[str, int], ...] = ()

    @property
    def refunded_minor(self) -> int:
        return sum(amount for _, amount in self.refunds)


class IntentStore(Protocol):
    async def get(self, intent_id: str) -> OfflineIntent | None: ...

    async def put(self, intent: OfflineIntent) -> None: ...

    async def add(self, intent: OfflineIntent) -> OfflineIntent | None:
        """Store a new intent unless one with its id is stored: None when it was added, else
        the one stored (left as it is). One atomic step: creating an intent needs no lock
        around a read and a write."""
        ...


class InMemoryIntentStore:
    def __init__(self) -> None:
        self._intents: dict[str, OfflineIntent] = {}

    async def get(self, intent_id: str) -> OfflineIntent | None:
        return self._intents.get(intent_id)

    async def put(self, intent: OfflineIntent) -> None:
        self._intents[intent.id] = intent

    async def add(self, intent: OfflineIntent) -> OfflineIntent | None:
        stored = self._intents.setdefault(intent.id, intent)
        return None if stored is intent else stored
