"""Subscribing waits its turn for a read connection (docs/architecture.md, "Live events").

Subscribing to orderUpdates reads the watched order. A storm of thousands of sockets opened at
once would otherwise queue them all on the read pool, where a checkout waits at most the pool
timeout and then fails with SERVICE_UNAVAILABLE. Here all but HTTP_SHARE connections of the
pool (at least one) serve subscribes at once, so HTTP requests keep a few; the others wait in
line, up to WAIT_SECONDS, and only then are refused with SERVICE_UNAVAILABLE (the client
retries)."""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator

from adapters.live.bus import PerBus
from domain.errors import ServiceUnavailable

WAIT_SECONDS = 30.0
HTTP_SHARE = 2  # read connections subscribes leave to HTTP requests


class SubscribeGate:
    def __init__(self, at_once: int, wait_seconds: float = WAIT_SECONDS) -> None:
        self.at_once = max(1, at_once)
        self.wait_seconds = wait_seconds
        self._slots = asyncio.Semaphore(self.at_once)

    @contextlib.asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self._slots.acquire(), self.wait_seconds)
        except asyncio.TimeoutError:
            raise ServiceUnavailable("too many subscribes waiting for a read connection",
                                     retry_after_seconds=1) from None
        try:
            yield
        finally:
            self._slots.release()


_GATES: PerBus[SubscribeGate] = PerBus()


def gate_for(runtime: Any) -> SubscribeGate:
    """The gate of one app (kept by its event bus), sized from its read pool."""
    return _GATES.get(runtime.bus, lambda: SubscribeGate(runtime.db.pool_capacity - HTTP_SHARE))
