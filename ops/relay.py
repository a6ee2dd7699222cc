"""Running the event relay (domain/outbox/relay.py): a loop in each server process when
EVENT_RELAY_URL is set (ops/background.py). Every EVENT_RELAY_INTERVAL_SECONDS it reads the
relay's lag (one read when idle), sets the lag gauges of /metrics and, when events wait,
publishes them batch after batch. A broker error stops the pass; the next one comes after a
backoff that doubles from the interval up to MAX_BACKOFF_SECONDS (with jitter), and resets on
success. Nothing is lost meanwhile: unpublished rows stay unpublished."""
from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any

from domain.outbox.relay import Lag, Relayed, Publisher, lag, relay_batch

log = logging.getLogger("marketplace.relay")
MAX_BACKOFF_SECONDS = 30.0
WARN_EVERY_SECONDS = 60.0


class Relay:
    def __init__(self, runtime: Any, publisher: Publisher, *, interval: float | None = None,
                 max_backoff: float = MAX_BACKOFF_SECONDS) -> None:
        self.runtime = runtime
        self.publisher = publisher
        self.interval = runtime.settings.event_relay_interval_seconds if interval is None \
            else interval
        self.max_backoff = max_backoff
        self._backoff = 0.0
        self._last_warning = 0.0

    async def step(self) -> Relayed:
        """One pass: publish what waits (batch after batch) and update the lag gauges."""
        waiting = await self._lag()
        published = duplicates = 0
        failed: Exception | None = None
        while waiting.events:
            done = await relay_batch(self.runtime.read, self.runtime.transaction,
                                     self.publisher)
            published, duplicates = published + done.published, duplicates + done.duplicates
            failed = done.failed
            if failed is not None or not done.more:
                break
        metrics = self.runtime.metrics
        if metrics is not None:
            metrics.relay_published.inc(published)
            if failed is not None:
                metrics.relay_failures.inc()
        if published or failed is not None:
            await self._lag()
        return Relayed(published, duplicates, failed)

    async def _lag(self) -> Lag:
        found = await self.runtime.read(lag)
        metrics = self.runtime.metrics
        if metrics is not None:
            metrics.relay_lag_events.set(found.events)
            age = 0.0 if found.oldest is None else max(
                (self.runtime.clock.now() - found.oldest).total_seconds(), 0.0)
            metrics.relay_lag_seconds.set(age)
        return found

    def next_delay(self, failed: bool) -> float:
        """The interval after a good pass; a doubling backoff (with jitter) after bad ones."""
        if not failed:
            self._backoff = 0.0
            return self.interval
        self._backoff = min(self.max_backoff, max(self._backoff * 2, self.interval, 0.1))
        return self._backoff * random.uniform(0.8, 1.0)

    async def run(self) -> None:
        try:
            while True:
                failure: BaseException | None = None
                try:
                    failure = (await self.step()).failed
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - database trouble: retry later
                    failure = exc
                delay = self.next_delay(failure is not None)
                if failure is not None:
                    self._warn(failure, delay)
                await asyncio.sleep(delay)
        finally:
            close = getattr(self.publisher, "close", None)
            if close is not None:
                await close()

    def _warn(self, failure: BaseException, delay: float) -> None:
        now = time.monotonic()
        if now - self._last_warning >= WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning("event relay: %s: %s; retrying in %.1f s (and backing off)",
                        type(failure).__name__, failure, delay)


async def run_relay(runtime: Any) -> None:
    """Lifespan task (ops/background.py): the relay to the broker of EVENT_RELAY_URL."""
    publisher = runtime.event_publisher
    if publisher is None:
        from ops.nats_publisher import JetStreamPublisher

        publisher = JetStreamPublisher.from_settings(runtime.settings)
    await Relay(runtime, publisher).run()
