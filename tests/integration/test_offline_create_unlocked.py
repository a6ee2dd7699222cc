"""Creating an offline payment intent takes no process-wide lock (docs/architecture.md,
"checkoutComplete under load"): two checkouts' provider calls reach the intent store together
instead of one after the other, and the store's one atomic `add` keeps a repeated key with other
parameters refused (idempotency_error), on the database store too."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest

from adapters.payments.offline import OfflineProvider
from adapters.payments.offline_store import InMemoryIntentStore, OfflineIntent
from adapters.payments.sql_intents import SqlIntentStore
from domain.clock import ManualClock
from domain.payments.provider import PaymentRequestRejected


class GatedStore(InMemoryIntentStore):
    """Holds every call at the store until released, counting the calls inside."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0
        self.gate = asyncio.Event()

    async def _wait(self) -> None:
        self.inside += 1
        await self.gate.wait()

    async def get(self, intent_id: str) -> OfflineIntent | None:
        await self._wait()
        return await super().get(intent_id)

    async def add(self, intent: OfflineIntent) -> OfflineIntent:
        await self._wait()
        return await super().add(intent)


def provider(store: Any) -> OfflineProvider:
    return OfflineProvider("whsec_test", "http://test",
                           ManualClock(datetime(2026, 1, 1, tzinfo=timezone.utc)), store=store)


async def create(offline: OfflineProvider, key: str, amount: int = 5000) -> Any:
    return await offline.create_and_confirm(
        amount_minor=amount, currency="usd", payment_method="pm_card_visa",
        idempotency_key=key, metadata={}, return_url="http://test/return")


async def test_two_creations_reach_the_store_together() -> None:
    store = GatedStore()
    offline = provider(store)
    calls = [asyncio.create_task(create(offline, key)) for key in ("k1", "k2")]
    for _ in range(20):  # let both run up to the store (no time involved)
        await asyncio.sleep(0)
    assert store.inside == 2
    store.gate.set()
    first, second = await asyncio.gather(*calls)
    assert first.reference != second.reference


async def test_a_key_repeated_with_another_amount_is_refused_by_the_database_store(
        runtime: Any) -> None:
    offline = provider(SqlIntentStore(runtime.db))
    paid = await create(offline, "same-key")
    assert (await create(offline, "same-key")).reference == paid.reference
    with pytest.raises(PaymentRequestRejected) as refused:
        await create(offline, "same-key", amount=6000)
    assert refused.value.code == "idempotency_error"
