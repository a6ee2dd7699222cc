"""The relay's rules (domain/outbox/relay.py) with a fake outbox and broker: id order, stop at the
first failure, mark only what the broker acknowledged, and carry on from there."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from domain.outbox.dispatch import OutboxEvent
from domain.outbox.relay import relay_batch

NOW = datetime(2026, 12, 4, tzinfo=timezone.utc)


class FakeOutbox:
    def __init__(self, ids: list[int]) -> None:
        self.published: dict[int, bool] = {i: False for i in ids}

    async def unpublished(self, limit: int) -> list[OutboxEvent]:
        ids = sorted(i for i, done in self.published.items() if not done)[:limit]
        return [OutboxEvent(i, "OrderCreated", "Order", i % 2, {}, NOW) for i in ids]

    async def mark_published(self, ids: list[int], now: datetime) -> None:
        for i in ids:
            self.published[i] = True


class FakeUow:
    def __init__(self, outbox: FakeOutbox) -> None:
        self.relay = outbox
        self.commits = 0

    def now(self) -> datetime:
        return NOW

    async def commit(self) -> None:
        self.commits += 1


class FlakyBroker:
    def __init__(self, fail_on: set[int]) -> None:
        self.fail_on = fail_on
        self.sent: list[int] = []

    async def publish(self, event: OutboxEvent) -> bool:
        if event.id in self.fail_on:
            raise ConnectionError("broker down")
        duplicate = event.id in self.sent
        self.sent.append(event.id)
        return duplicate


def runner(uow: FakeUow) -> Any:
    async def run(use_case: Any) -> Any:
        return await use_case(uow)
    return run


async def test_a_batch_stops_at_the_first_failure_and_marks_only_what_went_out() -> None:
    outbox = FakeOutbox([5, 3, 9, 4, 7])
    uow = FakeUow(outbox)
    broker = FlakyBroker(fail_on={7})
    done = await relay_batch(runner(uow), runner(uow), broker, batch=10)
    assert broker.sent == [3, 4, 5]  # id order; 9 waits behind 7
    assert (done.published, isinstance(done.failed, ConnectionError), done.more) == (
        3, True, False)
    assert {i for i, ok in outbox.published.items() if ok} == {3, 4, 5}
    broker.fail_on.clear()
    again = await relay_batch(runner(uow), runner(uow), broker, batch=10)
    assert broker.sent == [3, 4, 5, 7, 9] and again.failed is None
    assert all(outbox.published.values())


async def test_a_full_batch_says_more_may_wait_and_an_empty_one_commits_nothing() -> None:
    outbox = FakeOutbox([1, 2, 3])
    uow = FakeUow(outbox)
    done = await relay_batch(runner(uow), runner(uow), FlakyBroker(set()), batch=2)
    assert (done.published, done.more) == (2, True)
    uow.commits = 0
    await relay_batch(runner(uow), runner(uow), FlakyBroker(set()), batch=2)
    empty = await relay_batch(runner(uow), runner(uow), FlakyBroker(set()), batch=2)
    assert (empty.published, empty.more, uow.commits) == (0, False, 1)
