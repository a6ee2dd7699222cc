"""Batched reads for orders: by id, and their lines, shipments, payments and history; pages."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.orders.model import Order, OrderLine, Payment, Shipment
from persistence.reads.pagination import Ordering, Page, SortKey, fetch_page
from persistence.repositories.orders import to_line, to_order, to_shipment
from persistence.repositories.payments import to_payment
from persistence.tables import order_lines, order_status_history, orders, payments, shipments

NEWEST = Ordering("NEWEST", (SortKey(orders.c.created_at, True, datetime),
                             SortKey(orders.c.id, True, int)))
SHIPMENTS_NEWEST = Ordering("NEWEST", (SortKey(shipments.c.created_at, True, datetime),
                                       SortKey(shipments.c.id, True, int)))


async def orders_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Order | None]:
    rows = (await conn.execute(select(orders).where(orders.c.id.in_(ids)))).all()
    found = {r.id: to_order(r) for r in rows}
    return [found.get(i) for i in ids]


async def _grouped(conn: AsyncConnection, stmt: Select[Any], key: str, ids: Sequence[int],
                   convert: Callable[[Any], Any]) -> list[list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in (await conn.execute(stmt)).all():
        grouped[getattr(row, key)].append(convert(row))
    return [grouped.get(i, []) for i in ids]


async def lines_by_order(conn: AsyncConnection, ids: Sequence[int]) -> list[list[OrderLine]]:
    stmt = (select(order_lines, orders.c.currency)
            .join(orders, orders.c.id == order_lines.c.order_id)
            .where(order_lines.c.order_id.in_(ids)).order_by(order_lines.c.id))
    return await _grouped(conn, stmt, "order_id", ids, lambda r: to_line(r, r.currency))


async def shipments_by_order(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Shipment]]:
    stmt = select(shipments).where(shipments.c.order_id.in_(ids)).order_by(shipments.c.id)
    return await _grouped(conn, stmt, "order_id", ids, to_shipment)


async def shipments_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Shipment | None]:
    rows = (await conn.execute(select(shipments).where(shipments.c.id.in_(ids)))).all()
    found = {r.id: to_shipment(r) for r in rows}
    return [found.get(i) for i in ids]


async def payments_by_order(conn: AsyncConnection, ids: Sequence[int]) -> list[list[Payment]]:
    stmt = select(payments).where(payments.c.order_id.in_(ids)).order_by(payments.c.id)
    return await _grouped(conn, stmt, "order_id", ids, to_payment)


async def history_by_order(conn: AsyncConnection,
                           ids: Sequence[int]) -> list[list[tuple[str, datetime]]]:
    stmt = (select(order_status_history).where(order_status_history.c.order_id.in_(ids))
            .order_by(order_status_history.c.at, order_status_history.c.id))
    return await _grouped(conn, stmt, "order_id", ids, lambda r: (r.status, r.at))


@dataclass(frozen=True)
class OrderQuery:
    buyer_id: int | None = None  # None: every buyer (admin)
    status: str | None = None

    def where(self, stmt: Select[Any]) -> Select[Any]:
        if self.buyer_id is not None:
            stmt = stmt.where(orders.c.buyer_id == self.buyer_id)
        if self.status is not None:
            stmt = stmt.where(orders.c.status == self.status)
        return stmt


async def order_page(conn: AsyncConnection, query: OrderQuery, *, first: int,
                     after: str | None) -> Page[Order]:
    return await fetch_page(conn, query.where(select(orders)), NEWEST, first=first,
                            after=after, item=to_order)


async def order_count(conn: AsyncConnection, query: OrderQuery) -> int:
    stmt = query.where(select(func.count()).select_from(orders))
    return int((await conn.execute(stmt)).scalar_one())


@dataclass(frozen=True)
class ShipmentQuery:
    seller_id: int | None = None  # None: every seller (admin)
    status: str | None = None

    def where(self, stmt: Select[Any]) -> Select[Any]:
        if self.seller_id is not None:
            stmt = stmt.where(shipments.c.seller_id == self.seller_id)
        if self.status is not None:
            stmt = stmt.where(shipments.c.status == self.status)
        return stmt


async def shipment_page(conn: AsyncConnection, query: ShipmentQuery, *, first: int,
                        after: str | None) -> Page[Shipment]:
    return await fetch_page(conn, query.where(select(shipments)), SHIPMENTS_NEWEST,
                            first=first, after=after, item=to_shipment)


async def shipment_count(conn: AsyncConnection, query: ShipmentQuery) -> int:
    stmt = query.where(select(func.count()).select_from(shipments))
    return int((await conn.execute(stmt)).scalar_one())
