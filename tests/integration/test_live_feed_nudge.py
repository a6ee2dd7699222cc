"""A commit of this process nudges the live feed (adapters/live/feed.py): on SQLite the outbox
is read at once instead of at the next poll. The poll interval is made an hour here, so only
the nudge can deliver the event in time."""
from __future__ import annotations

import asyncio
from typing import Any

from adapters.live import feed as feed_module
from adapters.live.feed import OutboxFeed


async def test_a_local_commit_wakes_the_feed(runtime: Any, monkeypatch: Any) -> None:
    if not runtime.db.is_sqlite:
        return  # PostgreSQL is fed by LISTEN/NOTIFY at commit, not by the poll
    monkeypatch.setattr(feed_module, "POLL_SECONDS", 3600.0)
    feed = OutboxFeed(runtime, runtime.bus)
    task = asyncio.create_task(feed.run())

    async def add(uow: Any) -> None:
        await uow.outbox.add("OrderStatusChanged", "order", 7, {"orderId": 7}, uow.now())
        await uow.commit()

    try:
        async with runtime.bus.subscribe("order:7") as events:
            await asyncio.sleep(0.5)  # the feed took its start position and waits
            assert not task.done()
            await runtime.transaction(add)
            got = await asyncio.wait_for(events.__anext__(), 30)
            assert (got.type, got.payload) == ("OrderStatusChanged", {"orderId": 7})
    finally:
        task.cancel()
