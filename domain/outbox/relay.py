"""The event relay: committed outbox events out to a message broker (docs/rules.md, "Events
out and shared state").

One more delivery of the outbox beside the dispatcher (domain/outbox/dispatch.py), with its own mark
per row (`published_at`). A pass reads the oldest unpublished rows in id order (a read-only
snapshot: no lock and no transaction is held while the broker is called), publishes them one
at a time, each acknowledged by the broker before the next is sent, and stops at the first
failure; then it marks what was acknowledged, in one small transaction. So:

- at least once: a row is marked only after the broker acknowledged it; a crash between the
  acknowledgement and the mark publishes it again, and the broker drops the copy (the outbox
  id is the message id; JetStream's duplicate window);
- in commit order per aggregate: changes to one aggregate are serialised by its row lock, so
  their outbox ids follow their commit order, and an event is sent only after every older
  unpublished one was acknowledged (a batch stops at the first failure). Several relays (one
  per server process) may send the same rows at once: whichever copy arrives first is kept
  and the rest are duplicates, which cannot reorder what was kept, since each relay sends
  event k only after the broker acknowledged event k-1.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

from domain.outbox.dispatch import OutboxEvent

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

log = logging.getLogger("marketplace.relay")
BATCH = 100

Run = Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]


class Publisher(Protocol):
    async def publish(self, event: OutboxEvent) -> bool:
        """Send one event and wait for the broker's acknowledgement; True when the broker
        already had it (a duplicate it dropped). Raises when the broker did not take it."""
        ...


@dataclass(frozen=True)
class Relayed:
    published: int = 0
    duplicates: int = 0
    failed: Exception | None = None
    more: bool = False  # a full batch went out: more rows may be waiting


@dataclass(frozen=True)
class Lag:
    events: int
    oldest: datetime | None


async def unpublished(uow: UnitOfWork, *, batch: int = BATCH) -> list[OutboxEvent]:
    events: list[OutboxEvent] = await uow.relay.unpublished(batch)
    return events


async def mark_published(uow: UnitOfWork, ids: list[int]) -> None:
    await uow.relay.mark_published(ids, uow.now())
    await uow.commit()


async def relay_batch(read: Run, transaction: Run, publisher: Publisher, *,
                      batch: int = BATCH) -> Relayed:
    """One pass: publish the oldest unpublished events in id order, stop at the first
    failure, mark the acknowledged ones."""
    events = await read(lambda uow: unpublished(uow, batch=batch))
    acknowledged: list[int] = []
    duplicates = 0
    failure: Exception | None = None
    for event in events:
        try:
            duplicates += bool(await publisher.publish(event))
        except Exception as exc:  # noqa: BLE001 - any broker error: the rest waits
            failure = exc
            break
        acknowledged.append(event.id)
    if acknowledged:
        await transaction(lambda uow: mark_published(uow, acknowledged))
    return Relayed(len(acknowledged), duplicates, failure,
                   more=failure is None and len(events) == batch)


async def lag(uow: UnitOfWork) -> Lag:
    found: Lag = await uow.relay.lag()
    return found
