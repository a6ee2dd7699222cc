"""Two server processes with the offline provider share its intents through the database:
an intent created by one can be refunded by the other (no per-process state)."""
from __future__ import annotations

from typing import Any

import pytest

from adapters.payments.offline import OfflineProvider
from adapters.payments.sql_intents import SqlIntentStore
from domain.payments.provider import PaymentRequestRejected


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


async def test_a_new_intent_costs_one_statement_and_a_reused_key_is_still_checked(
        runtime: Any, clock: Any) -> None:
    """docs/rules.md, "Statement budgets of mutations": a new intent is written by one
    statement committed by itself (no BEGIN/COMMIT), on both databases; a replay reads the
    stored intent and refuses other parameters, as Stripe does."""
    secret, base = runtime.settings.stripe_webhook_secret, runtime.settings.public_base_url
    provider = OfflineProvider(secret, base, clock, store=SqlIntentStore(runtime.db))
    statements = runtime.db.statements
    statements.keep_log = True
    statements.reset()
    paid = await provider.create_and_confirm(amount_minor=700, currency="usd",
                                             payment_method="pm_card_visa",
                                             idempotency_key="one", metadata={},
                                             return_url=base)
    assert statements.count == 1, statements.log
    assert str(paid.status) == "SUCCEEDED"
    assert await provider.create_and_confirm(amount_minor=700, currency="usd",
                                             payment_method="pm_card_visa",
                                             idempotency_key="one", metadata={},
                                             return_url=base) == paid
    with pytest.raises(PaymentRequestRejected) as caught:
        await provider.create_and_confirm(amount_minor=701, currency="usd",
                                          payment_method="pm_card_visa",
                                          idempotency_key="one", metadata={},
                                          return_url=base)
    assert caught.value.code == "idempotency_error"
    assert (await provider.retrieve(paid.reference)).amount_minor == 700
