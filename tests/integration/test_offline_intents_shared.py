"""Two server processes with the offline provider share its intents through the database:
an intent created by one can be refunded by the other (no per-process state)."""
from __future__ import annotations

from typing import Any

from adapters.payments.offline import OfflineProvider
from adapters.payments.sql_intents import SqlIntentStore


async def test_an_intent_made_in_one_process_is_refunded_in_another(runtime: Any,
                                                                    clock: Any) -> None:
    secret, base = runtime.settings.stripe_webhook_secret, runtime.settings.public_base_url
    first = OfflineProvider(secret, base, clock, store=SqlIntentStore(runtime.db))
    second = OfflineProvider(secret, base, clock, store=SqlIntentStore(runtime.db))
    paid = await first.create_and_confirm(amount_minor=5000, currency="usd",
                                          payment_method="pm_card_visa", idempotency_key="k1",
                                          metadata={}, return_url=base)
    refund = await second.refund(reference=paid.reference, amount_minor=1500,
                                 idempotency_key="r1")
    assert refund.amount_minor == 1500
    seen = await first.retrieve(paid.reference)
    assert seen.amount_refunded_minor == 1500 and str(seen.status) == "PARTIALLY_REFUNDED"
    again = await first.refund(reference=paid.reference, amount_minor=1500,
                               idempotency_key="r1")
    assert again.reference == refund.reference  # idempotent across processes too
    assert (await second.retrieve(paid.reference)).amount_refunded_minor == 1500
