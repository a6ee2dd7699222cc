"""Refunds (domain/orders/changes.py: orderRefund, and the sweeper's backstop for refunds a
cancelled order still owes) over the fake unit of work and a fake provider: the provider is
asked once per refund, and the payment, the ledger reversal and the order agree after it."""
from __future__ import annotations

from typing import Any

import pytest

from domain import events
from domain.errors import DomainError
from domain.orders.changes import refund_order, refund_owed
from domain.payments.provider import IntentResult, PaymentStatus
from tests.unit.fake_orders import seed_order, seed_payment
from tests.unit.fake_provider import FakeProvider
from tests.unit.fake_scenarios import transact_in
from tests.unit.fakes import FakeUnitOfWork

VARIANT = 11


def paid_order(status: str = "CONFIRMED", **kw: Any) -> tuple[FakeUnitOfWork, FakeProvider]:
    """An order of 20.00 + 5.00 shipping, paid in full (payment 50, intent pi_1)."""
    uow, provider = FakeUnitOfWork(), FakeProvider()
    order = seed_order(uow, status=status, **kw)
    seed_payment(uow, order, status="SUCCEEDED", reference="pi_1")
    provider.intents["paid"] = IntentResult("fake", "pi_1", PaymentStatus.SUCCEEDED,
                                            order.total_minor, "USD", client_secret=None)
    return uow, provider


async def test_a_partial_refund_is_recorded_with_its_ledger_reversal():
    uow, provider = paid_order()
    changed = await refund_order(transact_in(uow), provider, order_id=1, amount_minor=1000,
                                 reason="scratched")
    assert changed.problems == []
    payment = uow.payments.rows[50]
    assert (payment.status, payment.refunded_minor) == ("PARTIALLY_REFUNDED", 1000)
    assert provider.refunded == {"pi_1": 1000}
    [(kind, order_id, entries)] = uow.ledger.postings
    assert (kind, order_id) == ("REFUND", 1) and uow.ledger.balanced()
    assert sum(credit for account, _, credit in entries if account == "BUYER_EXTERNAL") == 1000
    assert uow.orders.orders[1].status == "CONFIRMED"
    assert events.ORDER_STATUS_CHANGED not in uow.outbox.types()


async def test_refunding_the_rest_refunds_the_order_and_gives_back_what_was_not_shipped():
    uow, provider = paid_order(points_used=100, points_earned=25)
    uow.loyalty.moves.append((7, 25, "EARN", 1))
    transact = transact_in(uow)
    await refund_order(transact, provider, order_id=1, amount_minor=1000, reason=None)
    changed = await refund_order(transact, provider, order_id=1, amount_minor=1500, reason=None)
    assert changed.problems == [] and changed.order.status == "REFUNDED"
    assert uow.payments.rows[50].status == "REFUNDED"
    assert uow.shipments.rows[101].status == "CANCELLED"
    level = uow.inventory.levels[VARIANT]
    assert (level.available, level.allocated) == (10, 0)
    assert uow.loyalty.balance(7) == 100  # points used come back, points earned go
    refunds = [e for _, _, e in uow.ledger.postings]
    assert [sum(c for a, _, c in e if a == "BUYER_EXTERNAL") for e in refunds] == [1000, 1500]
    assert uow.ledger.balanced()
    assert uow.outbox.types() == [events.ORDER_STATUS_CHANGED]


@pytest.mark.parametrize("amount", [0, 2501])
async def test_a_refund_outside_what_is_left_is_invalid_and_the_provider_is_not_asked(amount):
    uow, provider = paid_order()
    with pytest.raises(DomainError) as refused:
        await refund_order(transact_in(uow), provider, order_id=1, amount_minor=amount,
                           reason=None)
    assert refused.value.code == "INVALID_INPUT"
    assert provider.refunds == {} and uow.ledger.postings == []


async def test_an_unreachable_provider_leaves_everything_as_it_was():
    uow, provider = paid_order()
    provider.down = True
    changed = await refund_order(transact_in(uow), provider, order_id=1, amount_minor=500,
                                 reason=None)
    assert [p.code for p in changed.problems] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
    assert uow.payments.rows[50].refunded_minor == 0 and uow.ledger.postings == []


async def test_an_unpaid_order_cannot_be_refunded():
    uow, provider = FakeUnitOfWork(), FakeProvider()
    seed_payment(uow, seed_order(uow), status="REQUIRES_ACTION")
    with pytest.raises(DomainError) as refused:
        await refund_order(transact_in(uow), provider, order_id=1, amount_minor=100,
                           reason=None)
    assert refused.value.code == "INVALID_STATE_TRANSITION"


async def test_the_backstop_refunds_what_a_cancelled_order_holds_once():
    uow, provider = paid_order(status="CANCELLED")
    assert await refund_owed(transact_in(uow), provider) == 1
    payment = uow.payments.rows[50]
    assert (payment.status, payment.refunded_minor) == ("REFUNDED", 2500)
    assert uow.orders.orders[1].status == "CANCELLED"  # the order itself does not change
    assert await refund_owed(transact_in(uow), provider) == 0
    assert len(provider.refunds) == 1 and len(uow.ledger.postings) == 1
