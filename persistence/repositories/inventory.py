"""Stock moves as single conditional UPDATE statements returning the new level.

Each move checks its precondition in the WHERE clause and the CHECK constraints back it up;
a move that returns None did not happen (nothing changed). Never read-then-write in Python.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import case, insert, select, update

from domain.catalog.inventory import StockLevel
from persistence.repositories.base import Repository
from persistence.tables import stock

_COLUMNS = (stock.c.variant_id, stock.c.total, stock.c.available, stock.c.reserved,
            stock.c.allocated, stock.c.low_stock_threshold)


def to_level(row: Any) -> StockLevel:
    return StockLevel(variant_id=row.variant_id, total=row.total, available=row.available,
                      reserved=row.reserved, allocated=row.allocated,
                      low_stock_threshold=row.low_stock_threshold)


class InventoryRepository(Repository):
    async def _move(self, stmt: Any) -> StockLevel | None:
        row = (await self.conn.execute(stmt.returning(*_COLUMNS))).first()
        return to_level(row) if row else None

    async def create(self, variant_id: int, total: int, low_stock_threshold: int) -> None:
        await self.conn.execute(insert(stock).values(
            variant_id=variant_id, total=total, available=total, reserved=0, allocated=0,
            low_stock_threshold=low_stock_threshold))

    async def get(self, variant_id: int) -> StockLevel | None:
        row = (await self.conn.execute(
            select(*_COLUMNS).where(stock.c.variant_id == variant_id))).first()
        return to_level(row) if row else None

    async def reserve(self, variant_id: int, quantity: int) -> StockLevel | None:
        """available -> reserved (a cart hold)."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id, stock.c.available >= quantity)
            .values(available=stock.c.available - quantity,
                    reserved=stock.c.reserved + quantity))

    async def release(self, variant_id: int, quantity: int) -> StockLevel | None:
        """reserved -> available (a hold given back)."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id, stock.c.reserved >= quantity)
            .values(available=stock.c.available + quantity,
                    reserved=stock.c.reserved - quantity))

    async def release_many(self, holds: Iterable[tuple[int, int]]) -> None:
        """Give back many holds (variant_id, quantity) in one executemany statement."""
        params = [{"v": v, "q": q} for v, q in holds if q > 0]
        if not params:
            return
        from sqlalchemy import bindparam

        await self.conn.execute(
            update(stock)
            .where(stock.c.variant_id == bindparam("v"), stock.c.reserved >= bindparam("q"))
            .values(available=stock.c.available + bindparam("q"),
                    reserved=stock.c.reserved - bindparam("q")),
            params,
        )

    async def allocate_reserved(self, variant_id: int, quantity: int) -> StockLevel | None:
        """reserved -> allocated (an order placed from a held cart)."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id, stock.c.reserved >= quantity)
            .values(reserved=stock.c.reserved - quantity,
                    allocated=stock.c.allocated + quantity))

    async def allocate_reserved_many(self, holds: Iterable[tuple[int, int]]) -> set[int]:
        """reserved -> allocated for many (variant_id, quantity) in one UPDATE; returns the
        variants that moved (one whose reservation falls short is left untouched)."""
        wanted = dict(holds)
        if not wanted:
            return set()
        quantity = case(wanted, value=stock.c.variant_id)
        rows = await self.conn.execute(
            update(stock)
            .where(stock.c.variant_id.in_(sorted(wanted)), stock.c.reserved >= quantity)
            .values(reserved=stock.c.reserved - quantity,
                    allocated=stock.c.allocated + quantity)
            .returning(stock.c.variant_id))
        return {row.variant_id for row in rows}

    async def allocate_available(self, variant_id: int, quantity: int) -> StockLevel | None:
        """available -> allocated (an order whose soft hold had lapsed)."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id, stock.c.available >= quantity)
            .values(available=stock.c.available - quantity,
                    allocated=stock.c.allocated + quantity))

    async def release_allocation(self, variant_id: int, quantity: int) -> StockLevel | None:
        """allocated -> available (an unpaid or cancelled order)."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id, stock.c.allocated >= quantity)
            .values(available=stock.c.available + quantity,
                    allocated=stock.c.allocated - quantity))

    async def ship(self, variant_id: int, quantity: int) -> StockLevel | None:
        """allocated units leave: out of allocated and out of total (sold)."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id, stock.c.allocated >= quantity)
            .values(allocated=stock.c.allocated - quantity, total=stock.c.total - quantity))

    async def set_total(self, variant_id: int, total: int) -> StockLevel | None:
        """Units on hand := total, never below what carts and orders hold."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id,
                   stock.c.reserved + stock.c.allocated <= total)
            .values(total=total,
                    available=total - stock.c.reserved - stock.c.allocated))

    async def adjust(self, variant_id: int, delta: int) -> StockLevel | None:
        """Units on hand += delta (negative removes), never below what is held."""
        return await self._move(
            update(stock)
            .where(stock.c.variant_id == variant_id, stock.c.available + delta >= 0)
            .values(total=stock.c.total + delta, available=stock.c.available + delta))
