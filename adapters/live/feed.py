"""Feeds committed outbox rows to this process's EventBus.

PostgreSQL: a dedicated connection LISTENs on `marketplace_events` (the outbox trigger of
migration 0003 notifies each row id at commit) and the row is read and published; a slower
poll of the last minutes catches anything missed while reconnecting. SQLite: writers are
serialised (BEGIN IMMEDIATE), so ids commit in order and tailing `id > last` every
POLL_SECONDS misses nothing; a commit of this process nudges the poll at once
(EventBus.nudge). Each event is published once per process (ids already published
are remembered)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import OrderedDict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from adapters.live.bus import EventBus, LiveEvent, topics_of
from adapters.response_store import invalidates
from persistence.tables import outbox

log = logging.getLogger("marketplace.live")
POLL_SECONDS = 0.2
PG_SAFETY_POLL_SECONDS = 2.0
REMEMBERED = 10_000


async def invalidate_responses(runtime: Any, rows: list[Any]) -> None:
    """Catalogue or stock events among the rows empty the response cache (docs/rules.md,
    "Response cache")."""
    cache = runtime.response_cache
    if cache is not None and any(invalidates(row.event_type) for row in rows):
        await cache.invalidate()


class OutboxFeed:
    def __init__(self, runtime: Any, bus: EventBus) -> None:
        self.runtime = runtime
        self.bus = bus
        self._published: OrderedDict[int, None] = OrderedDict()
        self._last_id = 0
        self._wake = asyncio.Event()

    async def start_position(self) -> None:
        async with self.runtime.db.read_engine.connect() as conn:
            self._last_id = int((await conn.execute(
                select(func.coalesce(func.max(outbox.c.id), 0)))).scalar_one())

    def _publish(self, row: Any) -> None:
        if row.id in self._published:
            return
        self._published[row.id] = None
        if len(self._published) > REMEMBERED:
            self._published.popitem(last=False)
        self._last_id = max(self._last_id, row.id)
        payload = json.loads(row.payload)
        self.bus.publish(LiveEvent(id=row.id, type=row.event_type, payload=payload,
                                   created_at=row.created_at,
                                   topics=topics_of(row.event_type, payload)))

    async def poll_once(self, *, lookback: timedelta | None = None) -> int:
        stmt = select(outbox).order_by(outbox.c.id)
        if lookback is None:
            stmt = stmt.where(outbox.c.id > self._last_id).limit(500)
        else:
            stmt = stmt.where(outbox.c.created_at >= self.runtime.clock.now() - lookback)
        async with self.runtime.db.read_engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        for row in rows:
            self._publish(row)
        await invalidate_responses(self.runtime, rows)
        return len(rows)

    async def _publish_id(self, event_id: int) -> None:
        async with self.runtime.db.read_engine.connect() as conn:
            row = (await conn.execute(select(outbox).where(outbox.c.id == event_id))).first()
        if row is not None:
            self._publish(row)
            await invalidate_responses(self.runtime, [row])

    async def run(self) -> None:
        await self.start_position()
        if self.runtime.db.is_sqlite:
            while True:
                try:
                    await self.poll_once()
                except Exception:  # noqa: BLE001 - keep feeding; the next poll retries
                    log.exception("outbox poll failed")
                await self._wait_for_commit(POLL_SECONDS)
        else:
            await asyncio.gather(self._listen(), self._safety_poll())

    async def _wait_for_commit(self, timeout: float) -> None:
        """Until a commit of this process nudges the bus (EventBus.nudge) or `timeout`
        passes: a local change is delivered without waiting out the poll interval."""
        committed = self.bus.committed
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(committed.wait(), timeout)
        committed.clear()

    async def _safety_poll(self) -> None:
        while True:
            await asyncio.sleep(PG_SAFETY_POLL_SECONDS)
            try:
                await self.poll_once(lookback=timedelta(minutes=2))
            except Exception:  # noqa: BLE001
                log.exception("outbox safety poll failed")

    async def _listen(self) -> None:
        import asyncpg  # the PostgreSQL driver the engine uses

        url = self.runtime.db.write_engine.url.set(drivername="postgresql")
        queue: asyncio.Queue[int] = asyncio.Queue()

        def on_notify(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            queue.put_nowait(int(payload))

        while True:
            connection = None
            try:
                connection = await asyncpg.connect(url.render_as_string(hide_password=False))
                await connection.add_listener("marketplace_events", on_notify)
                while True:
                    await self._publish_id(await queue.get())
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - reconnect; the safety poll covers the gap
                log.exception("LISTEN connection lost; reconnecting")
                await asyncio.sleep(1)
            finally:
                if connection is not None:
                    await connection.close()
