"""In-process publish/subscribe of outbox events by topic ("order:7", "buyer:3", "seller:2").

Each subscriber owns a bounded queue. A subscriber that falls too far behind is closed with
SubscriberLagged rather than silently losing events (the client resubscribes and re-reads the
order); leaving the `async with` block (a closed socket) frees the subscription."""
from __future__ import annotations

import asyncio
import contextlib
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, AsyncIterator, Callable, Generic, TypeVar

T = TypeVar("T")

QUEUE_SIZE = 1000


@dataclass(frozen=True)
class LiveEvent:
    id: int
    type: str
    payload: dict[str, Any]
    created_at: datetime
    topics: tuple[str, ...] = field(default=())
    # What subscribers derive from the event alone (its decoded state, what one account may
    # see of it) is computed once and kept here for the others (resolvers/live.py).
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False,
                                    repr=False)


class SubscriberLagged(Exception):
    """More than QUEUE_SIZE events waited for this subscriber."""


_LAGGED = object()


class Subscription:
    def __init__(self, topics: frozenset[str]) -> None:
        self.topics = topics
        self.queue: asyncio.Queue[Any] = asyncio.Queue(QUEUE_SIZE + 1)

    def offer(self, event: LiveEvent) -> None:
        if self.queue.qsize() >= QUEUE_SIZE:
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_LAGGED)
            return
        self.queue.put_nowait(event)

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> LiveEvent:
        item = await self.queue.get()
        if item is _LAGGED:
            raise SubscriberLagged("too many events waited; subscribe again")
        return item  # type: ignore[no-any-return]


class EventBus:
    """Subscriptions indexed by topic, so publishing an event costs its own subscribers only
    (docs/architecture.md, "Live events")."""

    def __init__(self) -> None:
        self._by_topic: dict[str, set[Subscription]] = {}
        self._count = 0
        self.committed = asyncio.Event()  # set by a local commit: the feed polls at once

    @property
    def subscriber_count(self) -> int:
        return self._count

    def nudge(self) -> None:
        """A transaction of this process committed: the feed reads the outbox now rather than
        at its next poll."""
        self.committed.set()

    @contextlib.asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[Subscription]:
        subscription = Subscription(frozenset(topics))
        for topic in subscription.topics:
            self._by_topic.setdefault(topic, set()).add(subscription)
        self._count += 1
        try:
            yield subscription
        finally:
            self._count -= 1
            for topic in subscription.topics:
                members = self._by_topic.get(topic)
                if members is not None:
                    members.discard(subscription)
                    if not members:
                        del self._by_topic[topic]

    def publish(self, event: LiveEvent) -> None:
        reached: set[Subscription] = set()
        for topic in event.topics:
            reached.update(self._by_topic.get(topic, ()))
        for subscription in reached:
            subscription.offer(event)


def topics_of(event_type: str, payload: dict[str, Any]) -> tuple[str, ...]:
    """Who may be interested: the order, its buyer, the sellers concerned."""
    topics = []
    if payload.get("orderId") is not None:
        topics.append(f"order:{payload['orderId']}")
    if payload.get("buyerId") is not None and event_type != "CartItemAdded":
        topics.append(f"buyer:{payload['buyerId']}")
    if payload.get("sellerId") is not None:
        topics.append(f"seller:{payload['sellerId']}")
    topics.extend(f"seller:{s}" for s in payload.get("sellerIds") or ())
    return tuple(topics)


class PerBus(Generic[T]):
    """One value per event bus, that is per app (event ids are unique within one database),
    dropped with the bus."""

    def __init__(self) -> None:
        self._values: "weakref.WeakKeyDictionary[Any, T]" = weakref.WeakKeyDictionary()

    def get(self, bus: Any, make: Callable[[], T]) -> T:
        found = self._values.get(bus)
        if found is None:
            found = self._values[bus] = make()
        return found
