"""Orders: creation with lines, shipments and history; conditional status changes."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Sequence as DbSequence, insert, select, update

from domain.orders.model import Order, OrderLine, OrderStatus, Shipment, ShipmentStatus
from persistence.repositories.base import Repository
from persistence.tables import (
    counters,
    order_lines,
    order_status_history,
    orders,
    products,
    shipments,
    variants,
)

ORDER_NUMBERS = DbSequence("order_numbers")  # PostgreSQL only (migration 0010)


def to_order(row: Any, history: Sequence[tuple[str, datetime]] = ()) -> Order:
    return Order(
        id=row.id, number=row.number, buyer_id=row.buyer_id, checkout_id=row.checkout_id,
        status=row.status, currency=row.currency, subtotal_minor=row.subtotal_minor,
        discount_total_minor=row.discount_total_minor, shipping_minor=row.shipping_minor,
        tax_minor=row.tax_minor, total_minor=row.total_minor,
        pricing_detail=json.loads(row.pricing_detail), promotion_code=row.promotion_code,
        loyalty_points_used=row.loyalty_points_used,
        loyalty_points_earned=row.loyalty_points_earned,
        shipping_address=json.loads(row.shipping_address),
        billing_address=json.loads(row.billing_address) if row.billing_address else None,
        shipping_method=row.shipping_method, notes=row.notes,
        idempotency_key=row.idempotency_key, payment_due_at=row.payment_due_at,
        created_at=row.created_at, confirmed_at=row.confirmed_at, history=tuple(history))


def to_line(row: Any, currency: str) -> OrderLine:
    return OrderLine(id=row.id, order_id=row.order_id, variant_id=row.variant_id,
                     seller_id=row.seller_id, sku=row.sku, product_name=row.product_name,
                     quantity=row.quantity, unit_price_minor=row.unit_price_minor,
                     discount_minor=row.discount_minor, points_minor=row.points_minor,
                     tax_minor=row.tax_minor, currency=currency)


def to_shipment(row: Any) -> Shipment:
    return Shipment(id=row.id, order_id=row.order_id, seller_id=row.seller_id,
                    status=row.status, shipping_minor=row.shipping_minor, carrier=row.carrier,
                    tracking_number=row.tracking_number,
                    estimated_delivery=row.estimated_delivery, shipped_at=row.shipped_at,
                    delivered_at=row.delivered_at, created_at=row.created_at)


class OrderRepository(Repository):
    async def next_number(self, year: int) -> int:
        """The next order number. PostgreSQL: the `order_numbers` sequence, which locks nothing
        (a counter row would stay locked until the placing transaction commits, and every
        checkout would queue behind it: docs/architecture.md, "checkoutComplete under load");
        unique and increasing, not restarted per year, a rolled-back placement skips its
        number. SQLite (writers serialised): the per-year counter row (atomic upsert)."""
        if self.dialect == "postgresql":
            return int((await self.conn.execute(select(ORDER_NUMBERS.next_value()))).scalar_one())
        stmt = self.upsert(counters).values(name=f"order_number:{year}", value=1)
        stmt = stmt.on_conflict_do_update(index_elements=[counters.c.name],
                                          set_={"value": counters.c.value + 1})
        return int((await self.conn.execute(stmt.returning(counters.c.value))).scalar_one())

    async def by_idempotency_key(self, buyer_id: int, key: str) -> Order | None:
        row = (await self.conn.execute(select(orders).where(
            orders.c.buyer_id == buyer_id, orders.c.idempotency_key == key))).first()
        return to_order(row) if row else None

    async def get(self, order_id: int, *, lock: bool = False) -> Order | None:
        stmt = select(orders).where(orders.c.id == order_id)
        row = (await self.conn.execute(self.lock(stmt) if lock else stmt)).first()
        return to_order(row) if row else None

    async def create(self, values: dict[str, Any]) -> Order:
        """Insert the order; returns it as written (RETURNING: no read after the write)."""
        row = {**values,
               "pricing_detail": json.dumps(values["pricing_detail"], sort_keys=True),
               "shipping_address": json.dumps(values["shipping_address"], sort_keys=True),
               "billing_address": json.dumps(values["billing_address"], sort_keys=True)
               if values.get("billing_address") else None}
        return to_order((await self.conn.execute(
            insert(orders).values(**row).returning(*orders.c))).one())

    async def add_lines(self, rows: list[dict[str, Any]], currency: str) -> list[OrderLine]:
        """Insert the lines (one statement); returns them as written, by id."""
        written = (await self.conn.execute(insert(order_lines).returning(*order_lines.c),
                                           rows)).all()
        return sorted((to_line(r, currency) for r in written), key=lambda ln: ln.id)

    async def add_shipments(self, rows: list[dict[str, Any]]) -> list[Shipment]:
        """Insert the shipments (one statement); returns them as written, by id."""
        written = (await self.conn.execute(insert(shipments).returning(*shipments.c),
                                           rows)).all()
        return sorted((to_shipment(r) for r in written), key=lambda s: s.id)

    async def add_history(self, order_id: int, status: str, at: datetime) -> None:
        await self.conn.execute(insert(order_status_history).values(
            order_id=order_id, status=status, at=at))

    async def lines(self, order_id: int, currency: str) -> list[OrderLine]:
        rows = (await self.conn.execute(select(order_lines).where(
            order_lines.c.order_id == order_id).order_by(order_lines.c.id))).all()
        return [to_line(r, currency) for r in rows]

    async def shipments(self, order_id: int) -> list[Shipment]:
        rows = (await self.conn.execute(select(shipments).where(
            shipments.c.order_id == order_id).order_by(shipments.c.id))).all()
        return [to_shipment(r) for r in rows]

    async def change_status(self, order_id: int, old: str, new: str, now: datetime,
                            **values: Any) -> bool:
        """Conditional: only an order still in `old` moves (and gets a history row)."""
        result = await self.conn.execute(
            update(orders).where(orders.c.id == order_id, orders.c.status == old)
            .values(status=new, updated_at=now, **values))
        if result.rowcount != 1:
            return False
        await self.add_history(order_id, new, now)
        return True

    async def cancel_shipments(self, order_id: int, now: datetime) -> set[int]:
        """Cancel the shipments that have not left (PENDING, PROCESSING); returns the sellers
        whose shipment this cancelled."""
        rows = await self.conn.execute(
            update(shipments).where(shipments.c.order_id == order_id,
                                    shipments.c.status.in_((ShipmentStatus.PENDING,
                                                            ShipmentStatus.PROCESSING)))
            .values(status=ShipmentStatus.CANCELLED, updated_at=now)
            .returning(shipments.c.seller_id))
        return {int(seller) for seller in rows.scalars()}

    async def mark_products_with_history(self, variant_ids: Sequence[int]) -> None:
        """Products that were ordered are archived, never erased (productDelete). Only rows
        not yet marked are written, so a popular product's row is not locked by every
        checkout (docs/architecture.md, "checkoutComplete under load")."""
        await self.conn.execute(
            update(products).where(products.c.has_history == 0, products.c.id.in_(
                select(variants.c.product_id).where(variants.c.id.in_(variant_ids))))
            .values(has_history=1))

    async def unpaid_past_due(self, now: datetime, limit: int) -> list[int]:
        stmt = (select(orders.c.id).where(orders.c.status == OrderStatus.PENDING_PAYMENT,
                                          orders.c.payment_due_at <= now)
                .order_by(orders.c.payment_due_at).limit(limit))
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return list((await self.conn.execute(stmt)).scalars())
