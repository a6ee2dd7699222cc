"""Order cancellation (domain/orders/cancellation.py) and applying a payment's outcome
(domain/payments/outcomes.py) over the fake unit of work, asserting the state they leave."""
from __future__ import annotations

from dataclasses import replace

from domain import events
from domain.orders.cancellation import cancel_placed_order
from domain.payments.outcomes import Outcome, apply_outcome
from tests.unit.fake_orders import seed_order, seed_payment
from tests.unit.fakes import FakeUnitOfWork

VARIANT = 11


async def test_cancelling_frees_the_allocated_units_cancels_open_payments_and_refunds_points():
    uow = FakeUnitOfWork()
    order = seed_order(uow, status="CONFIRMED", points_used=300, promotion_code="SAVE10")
    open_payment = seed_payment(uow, order, payment_id=50, status="REQUIRES_ACTION")
    failed = seed_payment(uow, order, payment_id=51, status="FAILED")
    uow.promotions.uses[order.id] = ("SAVE10", order.buyer_id)

    opened = await cancel_placed_order(uow.port, order, reason="changed my mind", now=uow.now())

    assert [p.id for p in opened or []] == [open_payment.id]
    assert uow.orders.orders[order.id].status == "CANCELLED"
    assert uow.orders.orders[order.id].payment_due_at is None
    assert uow.orders.shipment_rows[101].status == "CANCELLED"
    level = uow.inventory.levels[VARIANT]
    assert (level.available, level.allocated) == (10, 0)
    assert uow.payments.rows[open_payment.id].status == "CANCELED"
    assert uow.payments.rows[failed.id].status == "FAILED"
    assert uow.loyalty.balance(order.buyer_id) == 300
    assert order.id not in uow.promotions.uses
    (kind, _, _, payload), = uow.outbox.events
    assert (kind, payload["from"], payload["to"]) == (events.ORDER_STATUS_CHANGED,
                                                     "CONFIRMED", "CANCELLED")
    assert not uow.committed  # the caller commits


async def test_cancelling_an_order_that_moved_meanwhile_changes_nothing():
    uow = FakeUnitOfWork()
    order = seed_order(uow, status="CONFIRMED")
    uow.orders.orders[order.id] = replace(order, status="SHIPPED")
    assert await cancel_placed_order(uow.port, order, reason="x", now=uow.now()) is None
    assert uow.orders.orders[order.id].status == "SHIPPED"
    assert uow.inventory.levels[VARIANT].allocated == 2
    assert uow.outbox.events == []


async def test_a_shipped_sellers_units_stay_allocated_when_the_order_is_cancelled():
    uow = FakeUnitOfWork()
    order = seed_order(uow, status="PROCESSING", shipment_status="SHIPPED")
    await cancel_placed_order(uow.port, order, reason="x", now=uow.now())
    assert uow.orders.shipment_rows[101].status == "SHIPPED"
    assert uow.inventory.levels[VARIANT].allocated == 2


async def test_a_successful_payment_confirms_the_order_books_the_capture_and_earns_points():
    uow = FakeUnitOfWork()
    order = seed_order(uow, points_earned=25)
    payment = seed_payment(uow, order)

    applied = await apply_outcome(uow.port, payment_id=payment.id,
                                  outcome=Outcome(status="SUCCEEDED"))

    assert uow.committed
    assert not applied.refund_owed
    assert applied.order_number == order.number
    assert uow.payments.rows[payment.id].status == "SUCCEEDED"
    confirmed = uow.orders.orders[order.id]
    assert confirmed.status == "CONFIRMED"
    assert (confirmed.confirmed_at, confirmed.payment_due_at) == (uow.now(), None)
    assert uow.loyalty.balance(order.buyer_id) == 25
    [(kind, order_id, entries)] = uow.ledger.postings
    assert (kind, order_id) == ("CAPTURE", order.id)
    assert sum(debit for _, debit, _ in entries) == sum(credit for _, _, credit in entries)
    assert events.PAYMENT_SUCCEEDED in uow.outbox.types()


async def test_a_payment_for_a_cancelled_order_is_booked_and_owed_back():
    uow = FakeUnitOfWork()
    order = seed_order(uow, status="CANCELLED")
    payment = seed_payment(uow, order)
    applied = await apply_outcome(uow.port, payment_id=payment.id,
                                  outcome=Outcome(status="SUCCEEDED"))
    assert applied.refund_owed
    assert uow.orders.orders[order.id].status == "CANCELLED"
    assert [p[0] for p in uow.ledger.postings] == ["CAPTURE"]


async def test_a_payment_never_moves_backwards():
    uow = FakeUnitOfWork()
    order = seed_order(uow, status="CONFIRMED")
    payment = seed_payment(uow, order, status="SUCCEEDED")
    applied = await apply_outcome(uow.port, payment_id=payment.id,
                                  outcome=Outcome(status="PROCESSING"))
    assert applied.payment.status == "SUCCEEDED"
    assert uow.payments.rows[payment.id].status == "SUCCEEDED"
    assert uow.outbox.events == []


async def test_a_failed_payment_records_the_failure_and_leaves_the_order_waiting():
    uow = FakeUnitOfWork()
    order = seed_order(uow)
    payment = seed_payment(uow, order)
    await apply_outcome(uow.port, payment_id=payment.id,
                        outcome=Outcome(status="FAILED", failure_message="declined"))
    stored = uow.payments.rows[payment.id]
    assert (stored.status, stored.failure_message) == ("FAILED", "declined")
    assert uow.orders.orders[order.id].status == "PENDING_PAYMENT"
    assert uow.outbox.types() == [events.PAYMENT_FAILED]


async def test_a_redelivered_provider_event_changes_nothing():
    uow = FakeUnitOfWork()
    order = seed_order(uow)
    payment = seed_payment(uow, order)
    await apply_outcome(uow.port, payment_id=payment.id, outcome=Outcome(status="PROCESSING"),
                        event_id="evt_1", event_type="payment_intent.processing")
    uow.payments.rows[payment.id] = payment  # as if a later change had been made
    again = await apply_outcome(uow.port, payment_id=payment.id,
                                outcome=Outcome(status="PROCESSING"), event_id="evt_1",
                                event_type="payment_intent.processing")
    assert again.payment.status == "INITIATED"
    assert uow.payments.rows[payment.id].status == "INITIATED"


async def test_the_provider_reference_is_kept_once_set():
    uow = FakeUnitOfWork()
    order = seed_order(uow)
    payment = seed_payment(uow, order, reference=None)
    await apply_outcome(uow.port, payment_id=payment.id,
                        outcome=Outcome(status="REQUIRES_ACTION", reference="pi_9"))
    await apply_outcome(uow.port, payment_id=payment.id,
                        outcome=Outcome(status="PROCESSING", reference="pi_other"))
    assert uow.payments.rows[payment.id].provider_reference == "pi_9"
    assert uow.payments.rows[payment.id].status == "PROCESSING"
