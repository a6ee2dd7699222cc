"""The offline payment provider's intents in the database, so every server process sees the
same challenges and refunds (adapters/payments/offline_store.py's IntentStore port)."""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.payments.provider import PaymentIntentStatus
from adapters.payments.offline_store import OfflineIntent
from persistence.db import Database, execute_alone
from persistence.tables import offline_payment_intents as table
from persistence.request_reads import read


class SqlIntentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, intent_id: str) -> OfflineIntent | None:
        async def fetch(conn: AsyncConnection) -> Any:
            return (await conn.execute(
                select(table.c.data).where(table.c.id == intent_id))).scalar()

        data = await read(self.db, fetch)
        return None if data is None else _decode(data)

    def _insert(self, intent: OfflineIntent) -> Any:
        insert = (postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert)(table)
        return insert.values(id=intent.id, data=_encode(intent),
                             updated_at=datetime.now(timezone.utc))

    async def put(self, intent: OfflineIntent) -> None:
        stmt = self._insert(intent)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at})
        async with self.db.write_engine.begin() as conn:
            await conn.execute(stmt)

    async def add(self, intent: OfflineIntent) -> OfflineIntent | None:
        """One statement on its own, committed by itself (persistence.db.execute_alone): a new
        intent needs no transaction around it (docs/rules.md, "Statement budgets of
        mutations"); a replayed key reads the stored one."""
        added = await execute_alone(self.db, self._insert(intent).on_conflict_do_nothing(
            index_elements=[table.c.id]).returning(table.c.id))
        return None if added else await self.get(intent.id)


def _encode(intent: OfflineIntent) -> str:
    return json.dumps({**asdict(intent), "status": str(intent.status)}, sort_keys=True)


def _decode(data: str) -> OfflineIntent:
    fields = json.loads(data)
    fields["status"] = PaymentIntentStatus(fields["status"])
    fields["refunds"] = tuple((r, int(a)) for r, a in fields["refunds"])
    return OfflineIntent(**fields)
