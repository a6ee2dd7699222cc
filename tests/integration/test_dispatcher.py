"""The outbox dispatcher against the real database: deliveries to notifications and analytics
in the dispatching transaction, exactly once under concurrent dispatchers (PostgreSQL: FOR
UPDATE SKIP LOCKED; SQLite: serialised), idempotent redelivery, the after-commit SMTP path."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from domain.outbox.dispatch import CLAIM_LEASE, claim_stale, dispatch, dispatch_batch, send_queued
from persistence.repositories.dispatch import DispatchRepository
from persistence.tables import addresses, analytics_events, notifications, outbox
from tests.support.factories import make_account
from tests.support.server import ROOT


async def add_events(runtime: Any, rows: list[tuple[str, dict[str, Any]]]) -> None:
    async def write(uow: Any) -> None:
        await uow.outbox.add_many([
            {"event_type": t, "aggregate_type": "Order", "aggregate_id": p.get("orderId", 0),
             "payload": p} for t, p in rows], uow.now())
        await uow.commit()

    await runtime.transaction(write)


async def rows_of(runtime: Any, table: Any) -> list[Any]:
    async with runtime.db.read_engine.connect() as conn:
        return list((await conn.execute(select(table).order_by(table.c.id))).all())


async def pending(runtime: Any) -> int:
    async with runtime.db.read_engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.dispatched_at.is_(None)))).scalar_one())


async def test_one_batch_delivers_notifications_and_facts_and_marks_rows(
        runtime: Any, clock: Any) -> None:
    buyer = await make_account(runtime, name="Ada")
    await add_events(runtime, [
        ("CheckoutStarted", {"checkoutId": 1, "buyerId": buyer.user_id, "cartId": 1}),
        ("OrderCreated", {"orderId": 41, "number": "ORD-2026-000041", "buyerId": buyer.user_id,
                          "total": 12345, "currency": "USD", "sellerIds": [1]}),
        ("PaymentSucceeded", {"orderId": 41, "paymentId": 1, "buyerId": buyer.user_id,
                              "amount": 12345, "currency": "USD"}),
        ("OrderStatusChanged", {"orderId": 41, "buyerId": buyer.user_id,
                                "from": "PENDING_PAYMENT", "to": "CONFIRMED"}),
        ("ShipmentStatusChanged", {"shipmentId": 1, "orderId": 41, "sellerId": 1,
                                   "buyerId": buyer.user_id, "status": "SHIPPED",
                                   "carrier": "UPS", "trackingNumber": "1Z42"}),
        ("CartItemAdded", {"cartId": 1, "buyerId": buyer.user_id, "variantId": 1}),
    ])
    created = clock.now()
    clock.advance(minutes=3)
    assert await runtime.transaction(lambda uow: dispatch_batch(uow)) == 6
    assert await pending(runtime) == 0
    assert {r.dispatched_at for r in await rows_of(runtime, outbox)} == {clock.now()}

    notes = await rows_of(runtime, notifications)
    assert [(n.template, n.channel, n.recipient, n.status, n.user_id) for n in notes] == [
        ("order_confirmation", "EMAIL", buyer.email, "STORED", buyer.user_id),
        ("payment_receipt", "EMAIL", buyer.email, "STORED", buyer.user_id),
        ("shipping_update", "EMAIL", buyer.email, "STORED", buyer.user_id),
    ]
    assert notes[0].subject == "Your order ORD-2026-000041 is placed"
    assert "123.45 USD" in notes[0].body and "Hello Ada" in notes[0].body
    assert "Carrier: UPS" in notes[2].body and "1Z42" in notes[2].body
    assert all(n.sent_at is None for n in notes)

    facts = await rows_of(runtime, analytics_events)
    assert [(f.event_type, f.order_id, f.amount_minor, f.currency) for f in facts] == [
        ("CheckoutStarted", None, None, None), ("OrderCreated", 41, 12345, "USD"),
        ("PaymentSucceeded", 41, 12345, "USD")]
    assert {f.occurred_at for f in facts} == {created}  # the event's time, not the dispatch's
    # Nothing left: the next pass is empty.
    assert await runtime.transaction(lambda uow: dispatch_batch(uow)) == 0


async def test_redelivery_does_not_duplicate(runtime: Any) -> None:
    buyer = await make_account(runtime)
    await add_events(runtime, [
        ("OrderCreated", {"orderId": 7, "number": "ORD-2026-000007", "buyerId": buyer.user_id,
                          "total": 500, "currency": "USD"}),
        ("PaymentFailed", {"orderId": 7, "paymentId": 1, "buyerId": buyer.user_id,
                           "message": "Your card was declined."})])
    assert await runtime.transaction(lambda uow: dispatch_batch(uow)) == 2
    before = (await rows_of(runtime, notifications), await rows_of(runtime, analytics_events))
    # Replay everything (as an operator clearing dispatched_at would).
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(update(outbox).values(dispatched_at=None))
    assert await runtime.transaction(lambda uow: dispatch_batch(uow)) == 2
    after = (await rows_of(runtime, notifications), await rows_of(runtime, analytics_events))
    assert after == before
    assert [n.template for n in after[0]] == ["order_confirmation", "payment_failed"]


async def test_batches_are_taken_in_id_order(runtime: Any) -> None:
    await add_events(runtime, [("CheckoutStarted", {"checkoutId": i}) for i in range(5)])
    assert await runtime.transaction(lambda uow: dispatch_batch(uow, batch=2)) == 2
    rows = await rows_of(runtime, outbox)
    assert [r.dispatched_at is not None for r in rows] == [True, True, False, False, False]
    assert await runtime.transaction(lambda uow: dispatch_batch(uow, batch=2)) == 2
    assert await runtime.transaction(lambda uow: dispatch_batch(uow, batch=2)) == 1
    assert await pending(runtime) == 0


async def test_sms_record_for_a_phone_on_the_default_address(runtime: Any) -> None:
    buyer = await make_account(runtime)
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(insert(addresses).values(
            user_id=buyer.user_id, full_name="Ada", line1="1 Main St", city="SF", region="CA",
            postal_code="94105", country="US", phone="+1 415 555 0100", is_default=True,
            created_at=runtime.clock.now()))
    await add_events(runtime, [("OrderStatusChanged", {
        "orderId": 9, "buyerId": buyer.user_id, "from": "CONFIRMED", "to": "CANCELLED"})])
    await runtime.transaction(lambda uow: dispatch_batch(uow))
    notes = await rows_of(runtime, notifications)
    assert [(n.channel, n.template, n.recipient, n.status) for n in notes] == [
        ("EMAIL", "order_cancelled", buyer.email, "STORED"),
        ("SMS", "order_cancelled_sms", "+1 415 555 0100", "STORED")]


async def test_a_bad_payload_or_unknown_buyer_does_not_stall_the_outbox(runtime: Any) -> None:
    buyer = await make_account(runtime)
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(insert(outbox).values(
            event_type="OrderCreated", aggregate_type="Order", aggregate_id=1,
            payload="not json", created_at=runtime.clock.now()))
    await add_events(runtime, [
        ("PaymentSucceeded", {"orderId": 1, "buyerId": 999_999, "amount": 5,
                              "currency": "USD"}),
        ("OrderCreated", {"orderId": 2, "buyerId": buyer.user_id, "total": "oops"}),
    ])
    assert await runtime.transaction(lambda uow: dispatch_batch(uow)) == 3
    assert await pending(runtime) == 0
    assert [n.template for n in await rows_of(runtime, notifications)] == [
        "order_confirmation"]


async def test_concurrent_dispatchers_never_deliver_a_row_twice(
        runtime: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Four dispatchers at once (4 concurrent transactions). Every row taken is counted: if
    two transactions took the same row, the taken ids would repeat, whatever the unique
    indexes then did with the duplicate deliveries."""
    buyer = await make_account(runtime)
    events: list[tuple[str, dict[str, Any]]] = []
    for i in range(1, 121):
        events.append(("OrderCreated", {"orderId": i, "number": f"ORD-2026-{i:06d}",
                                        "buyerId": buyer.user_id, "total": 100 * i,
                                        "currency": "USD"}))
        events.append(("CheckoutStarted", {"checkoutId": i, "buyerId": buyer.user_id}))
        events.append(("CartItemAdded", {"cartId": i, "buyerId": buyer.user_id}))
    await add_events(runtime, events)

    taken: list[list[int]] = []
    in_flight = 0
    most_in_flight = 0
    original = DispatchRepository.take_batch

    async def spying_take(self: DispatchRepository, limit: int) -> Any:
        nonlocal in_flight, most_in_flight
        rows = await original(self, limit)
        taken.append([r.id for r in rows])
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        await asyncio.sleep(0.02)  # hold the rows while the others take theirs
        in_flight -= 1
        return rows

    monkeypatch.setattr(DispatchRepository, "take_batch", spying_take)

    async def worker() -> int:
        total = 0
        while True:
            done = await runtime.transaction(lambda uow: dispatch_batch(uow, batch=15))
            total += done
            if done == 0:
                return total

    counts = await asyncio.gather(*(worker() for _ in range(4)))
    ids = [i for batch in taken for i in batch]
    assert len(ids) == len(set(ids)) == len(events) == sum(counts)
    assert await pending(runtime) == 0
    if runtime.db.dialect == "postgresql":
        assert most_in_flight > 1  # the transactions really overlapped
        assert sum(1 for c in counts if c) > 1  # and more than one did work
    assert len(await rows_of(runtime, notifications)) == 120
    assert len(await rows_of(runtime, analytics_events)) == 240


async def test_smtp_failure_is_recorded_and_a_stale_claim_is_sent_again(
        runtime: Any, clock: Any) -> None:
    buyer = await make_account(runtime)
    await add_events(runtime, [
        ("PaymentSucceeded", {"orderId": 1, "buyerId": buyer.user_id, "amount": 100,
                              "currency": "USD"}),
        ("PaymentFailed", {"orderId": 2, "buyerId": buyer.user_id, "message": "declined"})])
    done = await runtime.transaction(lambda uow: dispatch(uow, send_email=True))
    assert done.count == 2 and [o.subject for o in done.outgoing] == [
        "Payment received for order #1", "Payment failed for order #2"]
    notes = await rows_of(runtime, notifications)
    assert {n.status for n in notes} == {"QUEUED"}
    assert {n.sent_at for n in notes} == {clock.now()}  # claimed by this dispatcher

    class Flaky:
        sent: list[str] = []

        def send(self, recipient: str, subject: str, body: str) -> None:
            if "failed" in subject:
                raise OSError("connection refused")
            self.sent.append(subject)

    # The process "died" before sending the second: only the first is sent now.
    assert await send_queued(runtime.transaction, Flaky(), done.outgoing[:1]) == (1, 0)
    # Not stale yet: nobody re-claims it.
    assert await runtime.transaction(lambda uow: claim_stale(uow)) == []
    clock.advance(seconds=CLAIM_LEASE.total_seconds() + 1)
    stale = await runtime.transaction(lambda uow: claim_stale(uow))
    assert [o.id for o in stale] == [done.outgoing[1].id]
    assert await send_queued(runtime.transaction, Flaky(), stale) == (0, 1)
    notes = await rows_of(runtime, notifications)
    assert [(n.template, n.status) for n in notes] == [("payment_receipt", "SENT"),
                                                       ("payment_failed", "FAILED")]
    assert notes[0].sent_at is not None and notes[1].sent_at is None
    assert Flaky.sent == ["Payment received for order #1"]


async def test_dispatch_command_delivers_pending_events(runtime: Any) -> None:
    buyer = await make_account(runtime)
    await add_events(runtime, [("OrderCreated", {"orderId": 3, "buyerId": buyer.user_id,
                                                 "total": 100, "currency": "USD"})] * 3)
    env = {**os.environ, "DATABASE_URL": runtime.settings.database_url}
    env.pop("SMTP_HOST", None)
    result = subprocess.run([sys.executable, "-m", "ops.cli", "dispatch"], cwd=ROOT, env=env,
                            capture_output=True, timeout=120, text=True)
    assert result.returncode == 0, result.stderr
    assert "events dispatched: 3" in result.stdout
    assert await pending(runtime) == 0
    assert len(await rows_of(runtime, analytics_events)) == 3
    assert len(await rows_of(runtime, notifications)) == 3
