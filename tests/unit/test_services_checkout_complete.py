"""checkoutComplete and orderRetryPayment (domain/checkout/complete.py) over the fake unit of
work and a fake provider: the order is committed before the provider is asked, the answer is
applied through the one outcome path, and a repeat with the same key charges nothing twice."""
from __future__ import annotations

from dataclasses import replace

import pytest

from domain import events
from domain.checkout.complete import Charged, complete_checkout, retry_payment
from domain.errors import ErrorList
from domain.payments.provider import PaymentStatus
from tests.unit.fake_provider import FakeProvider
from tests.unit.fake_scenarios import BUYER, POLICY, VARIANT, in_checkout, transact_in
from tests.unit.fakes import FakeUnitOfWork


async def complete(uow: FakeUnitOfWork, provider: FakeProvider, session_id: int,
                   key: str = "key-1") -> Charged:
    run = transact_in(uow)
    return await complete_checkout(run, run, provider, buyer_id=BUYER, session_id=session_id,
                                   payment_method="pm_card_visa", idempotency_key=key,
                                   policy=POLICY, return_url="https://shop.example/return")


async def test_a_successful_charge_confirms_the_order_and_books_the_capture():
    uow, session_id = await in_checkout()
    provider = FakeProvider(PaymentStatus.SUCCEEDED)
    charged = await complete(uow, provider, session_id)
    assert charged.problems == []
    assert (charged.order.status, charged.payment.status) == ("CONFIRMED", "SUCCEEDED")
    assert charged.payment.provider_reference == "pi_1"
    assert [kind for kind, _, _ in uow.ledger.postings] == ["CAPTURE"]
    assert uow.ledger.balanced()
    assert events.ORDER_CREATED in uow.outbox.types()
    assert events.PAYMENT_SUCCEEDED in uow.outbox.types()


async def test_repeating_the_request_charges_nothing_twice():
    uow, session_id = await in_checkout()
    provider = FakeProvider(PaymentStatus.SUCCEEDED)
    first = await complete(uow, provider, session_id)
    again = await complete(uow, provider, session_id)
    assert again.order.id == first.order.id and again.payment.id == first.payment.id
    assert len(provider.intents) == 1 and len(uow.ledger.postings) == 1


async def test_a_declined_card_leaves_the_order_waiting_for_payment():
    uow, session_id = await in_checkout()
    charged = await complete(uow, FakeProvider(PaymentStatus.FAILED), session_id)
    assert [p.code for p in charged.problems] == ["PAYMENT_DECLINED"]
    assert (charged.order.status, charged.payment.status) == ("PENDING_PAYMENT", "FAILED")
    assert uow.inventory.levels[VARIANT].allocated == 2  # held until paymentDueAt


async def test_an_unreachable_provider_keeps_the_placed_order_and_a_retry_charges_it():
    uow, session_id = await in_checkout()
    provider = FakeProvider(PaymentStatus.SUCCEEDED)
    provider.down = True
    charged = await complete(uow, provider, session_id)
    assert [p.code for p in charged.problems] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert (charged.order.status, charged.payment.status) == ("PENDING_PAYMENT", "INITIATED")
    provider.down = False
    again = await complete(uow, provider, session_id)
    assert (again.order.status, again.payment.status) == ("CONFIRMED", "SUCCEEDED")
    assert len(uow.orders.orders) == 1 and len(uow.payments.rows) == 1


async def test_a_price_change_is_reported_and_recorded_as_seen():
    uow, session_id = await in_checkout()
    uow.carts.variants[VARIANT] = replace(uow.carts.variants[VARIANT], price_minor=1100)
    provider = FakeProvider()
    with pytest.raises(ErrorList) as refused:
        await complete(uow, provider, session_id)
    assert [e.code for e in refused.value.errors] == ["PRICE_CHANGED"]
    assert provider.intents == {} and uow.orders.orders == {}
    charged = await complete(uow, provider, session_id)  # at the price now shown
    assert charged.order.subtotal_minor == 2200


async def test_retrying_a_declined_payment_makes_a_new_attempt_once_per_key():
    uow, session_id = await in_checkout()
    provider = FakeProvider(PaymentStatus.FAILED)
    declined = await complete(uow, provider, session_id)
    provider.next_status = PaymentStatus.SUCCEEDED
    run = transact_in(uow)

    async def retry() -> Charged:
        return await retry_payment(run, run, provider, buyer_id=BUYER,
                                   order_id=declined.order.id, payment_method="pm_card_visa",
                                   idempotency_key="retry-1",
                                   return_url="https://shop.example/return")

    paid = await retry()
    assert (paid.order.status, paid.payment.status) == ("CONFIRMED", "SUCCEEDED")
    assert paid.payment.id != declined.payment.id
    again = await retry()
    assert again.payment.id == paid.payment.id and len(uow.payments.rows) == 2
