"""Payments (one row per attempt) and the provider events already applied."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select, update

from domain.orders.model import Order, OrderStatus, Payment
from domain.payments.provider import PaymentStatus
from persistence.repositories.base import Repository
from persistence.repositories.orders import to_order
from persistence.tables import orders, payment_events, payment_faults, payments


def to_payment(row: Any) -> Payment:
    return Payment(id=row.id, order_id=row.order_id, provider=row.provider,
                   provider_reference=row.provider_reference,
                   idempotency_key=row.idempotency_key, payment_method=row.payment_method,
                   status=row.status, amount_minor=row.amount_minor,
                   refunded_minor=row.refunded_minor, currency=row.currency,
                   client_secret=row.client_secret, next_action_type=row.next_action_type,
                   next_action_url=row.next_action_url, failure_message=row.failure_message,
                   created_at=row.created_at)


class PaymentRepository(Repository):
    async def create(self, *, order_id: int, provider: str, idempotency_key: str,
                     payment_method: str, amount_minor: int, currency: str,
                     now: datetime) -> Payment:
        row = (await self.conn.execute(insert(payments).values(
            order_id=order_id, provider=provider, idempotency_key=idempotency_key,
            payment_method=payment_method, status=PaymentStatus.INITIATED,
            amount_minor=amount_minor,
            refunded_minor=0, currency=currency, created_at=now, updated_at=now,
        ).returning(*payments.c))).one()
        return to_payment(row)

    async def get(self, payment_id: int, *, lock: bool = False) -> Payment | None:
        stmt = select(payments).where(payments.c.id == payment_id)
        row = (await self.conn.execute(self.lock(stmt) if lock else stmt)).first()
        return to_payment(row) if row else None

    async def with_order(self, payment_id: int, *,
                         lock: bool = False) -> tuple[Payment, Order] | None:
        """A payment and its order in one statement (both rows locked on PostgreSQL)."""
        order_columns = [c.label(f"o__{c.name}") for c in orders.c]
        stmt = select(payments, *order_columns).join(
            orders, orders.c.id == payments.c.order_id).where(payments.c.id == payment_id)
        row = (await self.conn.execute(self.lock(stmt) if lock else stmt)).first()
        if row is None:
            return None
        fields = row._mapping
        order = to_order(SimpleNamespace(**{c.name: fields[f"o__{c.name}"]
                                            for c in orders.c}))
        return to_payment(row), order

    async def by_reference(self, reference: str, *, lock: bool = False) -> Payment | None:
        stmt = select(payments).where(payments.c.provider_reference == reference)
        row = (await self.conn.execute(self.lock(stmt) if lock else stmt)).first()
        return to_payment(row) if row else None

    async def by_idempotency_key(self, key: str) -> Payment | None:
        row = (await self.conn.execute(
            select(payments).where(payments.c.idempotency_key == key))).first()
        return to_payment(row) if row else None

    async def for_order(self, order_id: int) -> list[Payment]:
        rows = (await self.conn.execute(select(payments).where(
            payments.c.order_id == order_id).order_by(payments.c.id))).all()
        return [to_payment(r) for r in rows]

    async def update(self, payment_id: int, now: datetime, **values: Any) -> None:
        await self.conn.execute(update(payments).where(payments.c.id == payment_id)
                                .values(updated_at=now, **values))

    async def owed_refunds(self, limit: int) -> list[tuple[Payment, str]]:
        """Payments holding money of a CANCELLED order that is not refunded yet, with the
        order's number (oldest first)."""
        rows = (await self.conn.execute(
            select(payments, orders.c.number.label("order_number"))
            .join(orders, orders.c.id == payments.c.order_id)
            .where(orders.c.status == OrderStatus.CANCELLED,
                   payments.c.status.in_((PaymentStatus.SUCCEEDED,
                                          PaymentStatus.PARTIALLY_REFUNDED)),
                   payments.c.refunded_minor < payments.c.amount_minor)
            .order_by(payments.c.id).limit(limit))).all()
        return [(to_payment(r), str(r.order_number)) for r in rows]

    async def record_event(self, event_id: str, event_type: str, payment_id: int | None,
                           now: datetime) -> bool:
        """True the first time an event id is seen; False for a redelivery."""
        stmt = self.upsert(payment_events).values(
            event_id=event_id, event_type=event_type, payment_id=payment_id, created_at=now,
        ).on_conflict_do_nothing(index_elements=[payment_events.c.event_id])
        return (await self.conn.execute(stmt.returning(payment_events.c.id))).first() is not None

    async def record_fault(self, *, kind: str, message: str, payment_id: int | None,
                           event_id: str, event_type: str, expected_amount: int | None,
                           expected_currency: str | None, received_amount: int | None,
                           received_currency: str | None, now: datetime) -> None:
        """A provider event not applied (domain.payments.faults); once per event id."""
        await self.conn.execute(self.upsert(payment_faults).values(
            kind=kind, message=message, payment_id=payment_id, event_id=event_id,
            event_type=event_type, expected_amount=expected_amount,
            expected_currency=expected_currency, received_amount=received_amount,
            received_currency=received_currency, created_at=now,
        ).on_conflict_do_nothing(index_elements=[payment_faults.c.event_id]))
