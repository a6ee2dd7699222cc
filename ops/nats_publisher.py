"""The event relay's adapter to NATS JetStream (nats-py): stream EVENT_STREAM (created if
missing, subjects `<EVENT_SUBJECT_PREFIX>.>`), one message per outbox event on
`<prefix>.<EventType>` with the outbox id as `Nats-Msg-Id`, so JetStream drops copies sent
again within its duplicate window (docs/rules.md, "Events out and shared state").

The connection does not reconnect by itself: a failed connect or publish closes it, the relay
(ops/relay.py) backs off and the next publish connects again."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import nats
from nats.js.errors import NotFoundError

from domain.outbox.dispatch import OutboxEvent

log = logging.getLogger("marketplace.relay")
TIMEOUT_SECONDS = 3.0


def message_of(event: OutboxEvent) -> bytes:
    """The message body: the outbox row as JSON (its payload under `data`)."""
    return json.dumps({
        "id": event.id, "type": event.event_type, "aggregateType": event.aggregate_type,
        "aggregateId": event.aggregate_id, "occurredAt": event.created_at.isoformat(),
        "data": event.payload,
    }, sort_keys=True, default=str).encode()


class JetStreamPublisher:
    def __init__(self, url: str, *, stream: str, subject_prefix: str,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.url = url
        self.stream = stream
        self.subject_prefix = subject_prefix
        self.timeout = timeout
        self._nc: Any = None
        self._js: Any = None

    @classmethod
    def from_settings(cls, settings: Any) -> "JetStreamPublisher":
        return cls(settings.event_relay_url, stream=settings.event_stream,
                   subject_prefix=settings.event_subject_prefix)

    def subject(self, event_type: str) -> str:
        return f"{self.subject_prefix}.{event_type}"

    async def publish(self, event: OutboxEvent) -> bool:
        try:
            js = await self._jetstream()
            ack = await js.publish(self.subject(event.event_type), message_of(event),
                                   timeout=self.timeout, stream=self.stream,
                                   headers={"Nats-Msg-Id": str(event.id),
                                            "Content-Type": "application/json"})
        except BaseException:
            await self.close()
            raise
        return bool(ack.duplicate)

    async def _jetstream(self) -> Any:
        if self._js is not None and self._nc is not None and self._nc.is_connected:
            return self._js
        await self.close()

        async def quiet(exc: Exception) -> None:  # the relay logs failures itself
            log.debug("NATS: %s", exc)

        # nats-py retries a first connect `max_reconnect_attempts` times (0 would be forever).
        self._nc = await asyncio.wait_for(nats.connect(
            servers=[self.url], allow_reconnect=False, connect_timeout=max(1, int(self.timeout)),
            max_reconnect_attempts=1, reconnect_time_wait=0.1, error_cb=quiet,
            name="marketplace-event-relay"), timeout=3 * self.timeout + 1)
        js = self._nc.jetstream(timeout=self.timeout)
        await self._ensure_stream(js)
        self._js = js
        return js

    async def _ensure_stream(self, js: Any) -> None:
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            log.info("creating JetStream stream %s (subjects %s.>)", self.stream,
                     self.subject_prefix)
            await js.add_stream(name=self.stream, subjects=[f"{self.subject_prefix}.>"])

    async def close(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            try:
                await nc.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                log.debug("closing the NATS connection failed", exc_info=True)
