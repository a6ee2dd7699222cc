"""Reads for admins: payment faults (domain.payments.faults), newest first, and payments by id."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.orders.model import Payment
from domain.payments.faults import PaymentFault
from persistence.reads.pagination import Ordering, Page, SortKey, fetch_page
from persistence.repositories.payments import to_payment
from persistence.tables import payment_faults, payments

NEWEST = Ordering("NEWEST", (SortKey(payment_faults.c.created_at, True, datetime),
                             SortKey(payment_faults.c.id, True, int)))


def to_fault(row: Any) -> PaymentFault:
    return PaymentFault(
        id=row.id, kind=row.kind, message=row.message, payment_id=row.payment_id,
        event_id=row.event_id, event_type=row.event_type,
        expected_amount=row.expected_amount, expected_currency=row.expected_currency,
        received_amount=row.received_amount, received_currency=row.received_currency,
        created_at=row.created_at)


async def fault_page(conn: AsyncConnection, *, first: int,
                     after: str | None) -> Page[PaymentFault]:
    return await fetch_page(conn, select(payment_faults), NEWEST, first=first, after=after,
                            item=to_fault)


async def fault_count(conn: AsyncConnection) -> int:
    stmt = select(func.count()).select_from(payment_faults)
    return int((await conn.execute(stmt)).scalar_one())


async def payments_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Payment | None]:
    rows = (await conn.execute(select(payments).where(payments.c.id.in_(ids)))).all()
    found = {r.id: to_payment(r) for r in rows}
    return [found.get(i) for i in ids]
