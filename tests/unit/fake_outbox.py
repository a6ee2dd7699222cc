"""The outbox side of the fake unit of work (tests/unit/fakes.py): the outbox rows, the
dispatcher's repository (notifications, analytics facts, contacts) and the relay's."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from domain.outbox.analytics import Fact
from domain.outbox.dispatch import OutboxEvent
from domain.outbox.notifications import Contact, Notification, NotificationStatus, Outgoing
from domain.outbox.relay import Lag


class FakeOutbox:
    """Outbox rows in id order; `dispatched` and `published` are what the dispatcher and the
    relay have marked."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int, dict[str, Any]]] = []
        self.rows: list[OutboxEvent] = []
        self.dispatched: set[int] = set()
        self.published: set[int] = set()

    async def add(self, event_type: str, aggregate_type: str, aggregate_id: int,
                  payload: Mapping[str, Any], now: datetime) -> None:
        self.events.append((event_type, aggregate_type, aggregate_id, dict(payload)))
        self.rows.append(OutboxEvent(len(self.rows) + 1, event_type, aggregate_type,
                                     aggregate_id, dict(payload), now))

    async def add_many(self, rows: list[dict[str, Any]], now: datetime) -> None:
        for row in rows:
            await self.add(row["event_type"], row["aggregate_type"], row["aggregate_id"],
                           row["payload"], now)

    def types(self) -> list[str]:
        return [event[0] for event in self.events]


class FakeDispatch:
    def __init__(self, outbox: FakeOutbox) -> None:
        self.outbox = outbox
        self.contact_rows: dict[int, Contact] = {}
        self.numbers: dict[int, str] = {}  # order id -> number
        self.notifications: list[Notification] = []
        self.claimed: dict[int, datetime] = {}  # notification index + 1 -> claimed at
        self.facts: list[Fact] = []

    async def take_batch(self, limit: int) -> list[OutboxEvent]:
        return [e for e in self.outbox.rows if e.id not in self.outbox.dispatched][:limit]

    async def mark_dispatched(self, ids: Sequence[int], now: datetime) -> int:
        fresh = set(ids) - self.outbox.dispatched
        self.outbox.dispatched |= fresh
        return len(fresh)

    async def contacts(self, user_ids: Iterable[int]) -> dict[int, Contact]:
        return {u: self.contact_rows[u] for u in user_ids if u in self.contact_rows}

    async def order_numbers(self, order_ids: Iterable[int]) -> dict[int, str]:
        return {o: self.numbers[o] for o in order_ids if o in self.numbers}

    async def add_notifications(self, records: Sequence[Notification], now: datetime, *,
                                claim: bool = False) -> list[Outgoing]:
        outgoing = []
        for record in records:
            self.notifications.append(record)
            note_id = len(self.notifications)
            if claim and record.status == NotificationStatus.QUEUED:
                self.claimed[note_id] = now
                outgoing.append(Outgoing(note_id, record.recipient, record.subject,
                                         record.body))
        return outgoing

    async def add_facts(self, facts: Sequence[Fact]) -> None:
        self.facts.extend(facts)

    async def claim_queued(self, now: datetime, stale_before: datetime,
                           limit: int) -> list[Outgoing]:
        claimed = []
        for note_id, record in enumerate(self.notifications, start=1):
            at = self.claimed.get(note_id)
            if record.status == NotificationStatus.QUEUED and (at is None or at < stale_before):
                self.claimed[note_id] = now
                claimed.append(Outgoing(note_id, record.recipient, record.subject, record.body))
        return claimed[:limit]

    def _set(self, ids: Sequence[int], status: NotificationStatus) -> None:
        for note_id in ids:
            record = self.notifications[note_id - 1]
            if record.status == NotificationStatus.QUEUED:
                self.notifications[note_id - 1] = replace(record, status=status)

    async def mark_sent(self, ids: Sequence[int], now: datetime) -> None:
        self._set(ids, NotificationStatus.SENT)

    async def mark_failed(self, ids: Sequence[int]) -> None:
        self._set(ids, NotificationStatus.FAILED)


class FakeRelay:
    def __init__(self, outbox: FakeOutbox) -> None:
        self.outbox = outbox

    def _pending(self) -> list[OutboxEvent]:
        return [e for e in self.outbox.rows if e.id not in self.outbox.published]

    async def unpublished(self, limit: int) -> list[OutboxEvent]:
        return self._pending()[:limit]

    async def mark_published(self, ids: Sequence[int], now: datetime) -> int:
        fresh = set(ids) - self.outbox.published
        self.outbox.published |= fresh
        return len(fresh)

    async def lag(self) -> Lag:
        pending = self._pending()
        return Lag(len(pending), pending[0].created_at if pending else None)
