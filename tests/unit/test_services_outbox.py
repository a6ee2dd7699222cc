"""After the outbox (domain/outbox/dispatch.py, relay.py) over the fake unit of work: each
committed event is dispatched once (notifications for its buyer, an analytics fact), e-mails
are sent after the commit, and the relay publishes in id order and stops at the first failure."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from domain import events
from domain.outbox.dispatch import OutboxEvent, claim_stale, dispatch, send_queued
from domain.outbox.notifications import Contact
from domain.outbox.relay import lag, relay_batch
from tests.unit.fake_orders import T0
from tests.unit.fakes import FakeUnitOfWork

ADA = Contact(7, "ada@example.com", "Ada", phone="+1 415 555 0100")


def run_in(uow: FakeUnitOfWork) -> Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]:
    async def run(use_case: Callable[[Any], Awaitable[Any]]) -> Any:
        async with uow:
            return await use_case(uow.port)
    return run


async def with_events() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.dispatch.contact_rows[7] = ADA
    uow.dispatch.numbers[1] = "ORD-2026-000001"
    await uow.outbox.add(events.ORDER_CREATED, "Order", 1, {
        "orderId": 1, "number": "ORD-2026-000001", "buyerId": 7, "total": 2500,
        "currency": "USD", "sellerIds": [3]}, T0)
    await uow.outbox.add(events.CART_EXPIRED, "Cart", 4, {"cartId": 4, "buyerId": 7}, T0)
    await uow.outbox.add(events.PAYMENT_SUCCEEDED, "Payment", 50, {
        "orderId": 1, "paymentId": 50, "buyerId": 7, "amount": 2500, "currency": "USD"}, T0)
    return uow


async def test_each_event_is_dispatched_once_with_its_notifications_and_facts():
    uow = await with_events()
    done = await dispatch(uow.port)
    assert (done.count, done.outgoing, uow.committed) == (3, [], True)
    assert uow.outbox.dispatched == {1, 2, 3}
    notes = [(n.channel, n.status, n.recipient) for n in uow.dispatch.notifications]
    assert notes == [("EMAIL", "STORED", ADA.email), ("SMS", "STORED", ADA.phone)] * 2
    assert [f.event_type for f in uow.dispatch.facts] == [events.ORDER_CREATED,
                                                          events.PAYMENT_SUCCEEDED]
    assert (await dispatch(uow.port)).count == 0
    assert len(uow.dispatch.notifications) == 4


class Mailer:
    def __init__(self, failing: set[str] | None = None) -> None:
        self.failing = failing or set()
        self.sent: list[str] = []

    def send(self, recipient: str, subject: str, body: str) -> None:
        if subject in self.failing:
            raise OSError("connection refused")
        self.sent.append(subject)


async def test_emails_are_queued_claimed_and_sent_after_the_commit():
    uow = await with_events()
    done = await dispatch(uow.port, send_email=True)
    assert [n.status for n in uow.dispatch.notifications] == ["QUEUED", "STORED"] * 2
    assert len(done.outgoing) == 2
    first, second = done.outgoing
    mailer = Mailer(failing={second.subject})
    assert await send_queued(run_in(uow), mailer, done.outgoing) == (1, 1)
    assert [n.status for n in uow.dispatch.notifications][::2] == ["SENT", "FAILED"]
    assert mailer.sent == [first.subject]


async def test_an_email_whose_sender_died_is_claimed_again_after_the_lease():
    uow = await with_events()
    done = await dispatch(uow.port, send_email=True)
    assert await claim_stale(uow.port) == []  # claimed just now by the dispatcher
    uow.later(3600)
    assert [o.id for o in await claim_stale(uow.port)] == [o.id for o in done.outgoing]


class Broker:
    def __init__(self, fail_at: int | None = None, known: set[int] | None = None) -> None:
        self.fail_at, self.known = fail_at, known or set()
        self.got: list[int] = []

    async def publish(self, event: OutboxEvent) -> bool:
        if event.id == self.fail_at:
            raise ConnectionError("broker away")
        self.got.append(event.id)
        return event.id in self.known


async def test_the_relay_publishes_in_order_and_stops_at_the_first_failure():
    uow = await with_events()
    run = run_in(uow)
    relayed = await relay_batch(run, run, Broker(fail_at=2))
    assert (relayed.published, relayed.more) == (1, False)
    assert isinstance(relayed.failed, ConnectionError)
    assert uow.outbox.published == {1}
    assert (await lag(uow.port)).events == 2
    broker = Broker(known={2})
    relayed = await relay_batch(run, run, broker, batch=2)
    assert (relayed.published, relayed.duplicates, relayed.more) == (2, 1, True)
    assert broker.got == [2, 3] and uow.outbox.published == {1, 2, 3}
    assert (await lag(uow.port)).events == 0
