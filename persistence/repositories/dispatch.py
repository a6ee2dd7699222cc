"""The outbox dispatcher's reads and writes (uow.dispatch): taking undispatched outbox rows,
writing notification records and analytics facts, the report's facts, and the lookups the
notification rules need (buyer contacts, order numbers)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, or_, select, true, update

from domain.outbox.analytics import FACT_TYPES, Fact
from domain.outbox.dispatch import OutboxEvent
from domain.outbox.notifications import (
    Channel,
    Contact,
    Notification,
    Outgoing,
)
from domain.outbox.notifications import NotificationStatus as _Status
from persistence.repositories.base import Repository
from persistence.tables import addresses, analytics_events, notifications, orders, outbox, users


class DispatchRepository(Repository):
    # --- the outbox
    async def has_pending(self) -> bool:
        """Whether any row waits for the dispatcher (uses ix_outbox_undispatched)."""
        stmt = select(outbox.c.id).where(outbox.c.dispatched_at.is_(None)).limit(1)
        return (await self.conn.execute(stmt)).first() is not None

    async def take_batch(self, limit: int) -> list[OutboxEvent]:
        """The oldest undispatched rows, locked for this transaction. PostgreSQL: FOR UPDATE
        SKIP LOCKED, so concurrent dispatchers take disjoint rows (and a row another
        dispatcher committed meanwhile is re-checked and left out); SQLite: BEGIN IMMEDIATE
        already gives this transaction the database."""
        stmt = (select(outbox).where(outbox.c.dispatched_at.is_(None))
                .order_by(outbox.c.id).limit(limit))
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = (await self.conn.execute(stmt)).all()
        return [OutboxEvent(id=r.id, event_type=r.event_type, aggregate_type=r.aggregate_type,
                            aggregate_id=r.aggregate_id, payload=_payload(r.payload),
                            created_at=r.created_at) for r in rows]

    async def mark_dispatched(self, ids: Sequence[int], now: datetime) -> int:
        if not ids:
            return 0
        result = await self.conn.execute(
            update(outbox).where(outbox.c.id.in_(ids), outbox.c.dispatched_at.is_(None))
            .values(dispatched_at=now))
        return int(result.rowcount)

    # --- lookups for the rules
    async def contacts(self, user_ids: Iterable[int]) -> dict[int, Contact]:
        """Account e-mail and name, and the phone of the default address (if any)."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        joined = users.outerjoin(addresses, and_(addresses.c.user_id == users.c.id,
                                                 addresses.c.is_default == true(),
                                                 addresses.c.phone.is_not(None)))
        rows = (await self.conn.execute(
            select(users.c.id, users.c.email, users.c.name, addresses.c.phone)
            .select_from(joined).where(users.c.id.in_(ids))
            .order_by(users.c.id, addresses.c.id))).all()
        found: dict[int, Contact] = {}
        for row in rows:
            if row.id not in found:
                found[row.id] = Contact(row.id, row.email, row.name,
                                        (row.phone or "").strip() or None)
        return found

    async def order_numbers(self, order_ids: Iterable[int]) -> dict[int, str]:
        ids = sorted(set(order_ids))
        if not ids:
            return {}
        rows = (await self.conn.execute(
            select(orders.c.id, orders.c.number).where(orders.c.id.in_(ids)))).all()
        return {r.id: r.number for r in rows}

    # --- deliveries
    async def add_notifications(self, records: Sequence[Notification], now: datetime, *,
                                claim: bool = False) -> list[Outgoing]:
        """Insert records, skipping any that exist (event_id, template, user_id). Returns the
        QUEUED e-mails this call inserted; with `claim` they are stamped as claimed now."""
        if not records:
            return []
        stmt = self.upsert(notifications).values([{
            "user_id": n.user_id, "channel": n.channel, "template": n.template,
            "recipient": n.recipient, "subject": n.subject, "body": n.body,
            "status": n.status, "event_id": n.event_id, "created_at": now,
            "sent_at": now if claim and n.status == _Status.QUEUED else None,
        } for n in records])
        stmt = stmt.on_conflict_do_nothing(index_elements=[
            notifications.c.event_id, notifications.c.template, notifications.c.user_id,
        ]).returning(notifications.c.id, notifications.c.channel, notifications.c.status,
                     notifications.c.recipient, notifications.c.subject, notifications.c.body)
        rows = (await self.conn.execute(stmt)).all()
        return sorted((Outgoing(r.id, r.recipient, r.subject, r.body) for r in rows
                       if r.status == _Status.QUEUED and r.channel == Channel.EMAIL),
                      key=lambda o: o.id)

    async def add_facts(self, facts: Sequence[Fact]) -> None:
        if not facts:
            return
        stmt = self.upsert(analytics_events).values([{
            "event_id": f.event_id, "event_type": f.event_type, "order_id": f.order_id,
            "amount_minor": f.amount_minor, "currency": f.currency,
            "occurred_at": f.occurred_at,
        } for f in facts]).on_conflict_do_nothing(index_elements=[analytics_events.c.event_id])
        await self.conn.execute(stmt)

    # --- e-mails sent after the dispatch commit
    async def claim_queued(self, now: datetime, stale_before: datetime,
                           limit: int) -> list[Outgoing]:
        """QUEUED e-mails never claimed or claimed before `stale_before` (sent_at holds the
        claim time while QUEUED), stamped as claimed now."""
        stmt = (select(notifications.c.id, notifications.c.recipient, notifications.c.subject,
                       notifications.c.body)
                .where(notifications.c.status == _Status.QUEUED,
                       notifications.c.channel == Channel.EMAIL,
                       or_(notifications.c.sent_at.is_(None),
                           notifications.c.sent_at < stale_before))
                .order_by(notifications.c.id).limit(limit))
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = (await self.conn.execute(stmt)).all()
        if rows:
            await self.conn.execute(update(notifications)
                                    .where(notifications.c.id.in_([r.id for r in rows]))
                                    .values(sent_at=now))
        return [Outgoing(r.id, r.recipient, r.subject, r.body) for r in rows]

    async def mark_sent(self, ids: Sequence[int], now: datetime) -> None:
        if ids:
            await self.conn.execute(
                update(notifications)
                .where(notifications.c.id.in_(ids), notifications.c.status == _Status.QUEUED)
                .values(status=_Status.SENT, sent_at=now))

    async def mark_failed(self, ids: Sequence[int]) -> None:
        if ids:
            await self.conn.execute(
                update(notifications)
                .where(notifications.c.id.in_(ids), notifications.c.status == _Status.QUEUED)
                .values(status=_Status.FAILED, sent_at=None))

    # --- the report
    async def facts_between(self, start: datetime, end: datetime) -> list[Fact]:
        """The report's facts with start <= occurred_at < end
        (uses ix_analytics_events_type_time)."""
        rows = (await self.conn.execute(
            select(analytics_events).where(analytics_events.c.event_type.in_(FACT_TYPES),
                                           analytics_events.c.occurred_at >= start,
                                           analytics_events.c.occurred_at < end))).all()
        return [Fact(r.event_id, r.event_type, r.order_id, r.amount_minor, r.currency,
                     r.occurred_at) for r in rows]


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
