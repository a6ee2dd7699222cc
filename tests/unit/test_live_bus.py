"""The live event bus (adapters/live/bus.py): an event reaches the subscriptions of its topics
only, each once, and a closed subscription leaves nothing behind."""
from __future__ import annotations

import contextlib
from datetime import datetime, timezone

from adapters.live.bus import EventBus, LiveEvent

AT = datetime(2026, 1, 1, tzinfo=timezone.utc)


def event(n: int, *topics: str) -> LiveEvent:
    return LiveEvent(id=n, type="OrderStatusChanged", payload={}, created_at=AT, topics=topics)


async def test_an_event_reaches_each_interested_subscription_once() -> None:
    bus = EventBus()
    async with contextlib.AsyncExitStack() as stack:
        order = await stack.enter_async_context(bus.subscribe("order:1"))
        both = await stack.enter_async_context(bus.subscribe("order:1", "buyer:3"))
        other = await stack.enter_async_context(bus.subscribe("order:2"))
        assert bus.subscriber_count == 3
        bus.publish(event(1, "order:1", "buyer:3"))
        assert order.queue.qsize() == 1
        assert both.queue.qsize() == 1  # two matching topics, delivered once
        assert other.queue.qsize() == 0
        assert (await order.__anext__()).id == 1


async def test_a_closed_subscription_is_gone_from_every_topic() -> None:
    bus = EventBus()
    async with bus.subscribe("order:1", "seller:2") as gone:
        pass
    async with bus.subscribe("order:1") as kept:
        bus.publish(event(1, "order:1", "seller:2"))
        assert kept.queue.qsize() == 1 and gone.queue.qsize() == 0
        assert bus.subscriber_count == 1
    assert bus.subscriber_count == 0
    assert bus._by_topic == {}
