"""Shipments for fulfilment: reads (optionally locked) and conditional status changes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from domain.fulfilment.shipments import TrackingNumberTaken
from domain.orders.model import Shipment
from persistence.repositories.base import Repository
from persistence.repositories.orders import to_shipment
from persistence.tables import shipments


class ShipmentRepository(Repository):
    async def get(self, shipment_id: int, *, lock: bool = False) -> Shipment | None:
        stmt = select(shipments).where(shipments.c.id == shipment_id)
        row = (await self.conn.execute(self.lock(stmt) if lock else stmt)).first()
        return to_shipment(row) if row else None

    async def by_tracking_number(self, tracking_number: str) -> Shipment | None:
        row = (await self.conn.execute(select(shipments).where(
            shipments.c.tracking_number == tracking_number))).first()
        return to_shipment(row) if row else None

    async def for_order(self, order_id: int) -> list[Shipment]:
        rows = (await self.conn.execute(select(shipments).where(
            shipments.c.order_id == order_id).order_by(shipments.c.id))).all()
        return [to_shipment(r) for r in rows]

    async def change_status(self, shipment_id: int, old: str, new: str, now: datetime,
                            **values: Any) -> Shipment | None:
        """Conditional: only a shipment still in `old` moves; None when it did not. A
        tracking number another shipment already has raises TrackingNumberTaken (the unique
        constraint, inside a savepoint so the transaction stays usable)."""
        stmt = (update(shipments)
                .where(shipments.c.id == shipment_id, shipments.c.status == old)
                .values(status=new, updated_at=now, **values)
                .returning(*shipments.c))
        savepoint = await self.conn.begin_nested()
        try:
            row = (await self.conn.execute(stmt)).first()
        except IntegrityError as exc:
            await savepoint.rollback()
            if "tracking_number" in values:
                raise TrackingNumberTaken(values["tracking_number"]) from exc
            raise
        await savepoint.commit()
        return to_shipment(row) if row else None
