"""The event relay's reads and writes (uow.relay): unpublished outbox rows in id order, their
`published_at` mark, and the relay's lag (domain/outbox/relay.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import func, select, update

from domain.outbox.dispatch import OutboxEvent
from domain.outbox.relay import Lag
from persistence.repositories.base import Repository
from persistence.repositories.dispatch import _payload
from persistence.tables import outbox


class RelayRepository(Repository):
    async def unpublished(self, limit: int) -> list[OutboxEvent]:
        """The oldest rows the broker has not acknowledged (uses ix_outbox_unpublished)."""
        rows = (await self.conn.execute(
            select(outbox).where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id).limit(limit))).all()
        return [OutboxEvent(id=r.id, event_type=r.event_type, aggregate_type=r.aggregate_type,
                            aggregate_id=r.aggregate_id, payload=_payload(r.payload),
                            created_at=r.created_at) for r in rows]

    async def mark_published(self, ids: Sequence[int], now: datetime) -> int:
        if not ids:
            return 0
        result = await self.conn.execute(
            update(outbox).where(outbox.c.id.in_(ids), outbox.c.published_at.is_(None))
            .values(published_at=now))
        return int(result.rowcount)

    async def lag(self) -> Lag:
        """How many rows wait, and when the oldest of them was written."""
        count, first = (await self.conn.execute(
            select(func.count(), func.min(outbox.c.id))
            .where(outbox.c.published_at.is_(None)))).one()
        if not count:
            return Lag(0, None)
        oldest = (await self.conn.execute(
            select(outbox.c.created_at).where(outbox.c.id == first))).scalar_one()
        return Lag(int(count), oldest)
