"""The transactional outbox: events are inserted in the transaction of the change they
describe, so an event exists if and only if its change was committed."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import insert

from persistence.repositories.base import Repository
from persistence.tables import outbox


class OutboxRepository(Repository):
    async def add(self, event_type: str, aggregate_type: str, aggregate_id: int,
                  payload: Mapping[str, Any], now: datetime) -> None:
        await self.conn.execute(insert(outbox).values(
            event_type=event_type, aggregate_type=aggregate_type, aggregate_id=aggregate_id,
            payload=json.dumps(payload, default=str, sort_keys=True), created_at=now,
        ))

    async def add_many(self, rows: list[dict[str, Any]], now: datetime) -> None:
        """One statement for many events (rows: event_type, aggregate_type, aggregate_id,
        payload)."""
        if not rows:
            return
        await self.conn.execute(insert(outbox), [
            {**row, "payload": json.dumps(row["payload"], default=str, sort_keys=True),
             "created_at": now} for row in rows
        ])
