"""Drives the cart use cases straight through the unit of work (no HTTP), for property and
expiry tests; reads the stock invariant back with plain SQL."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from domain.cart import services as cart_service
from domain.errors import DomainError
from domain.cart.sweeper import sweep_carts
from persistence.tables import cart_lines, carts, stock


class CartHarness:
    def __init__(self, runtime: Any, hold_seconds: int = 900) -> None:
        self.runtime = runtime
        self.hold = hold_seconds

    async def _run(self, use_case: Any) -> Any:
        try:
            return await self.runtime.transaction(use_case)
        except DomainError as error:
            return error

    async def add(self, buyer: int, variant: int, quantity: int) -> Any:
        return await self._run(lambda uow: cart_service.add_line(
            uow, buyer_id=buyer, variant_id=variant, quantity=quantity,
            hold_seconds=self.hold))

    async def update(self, buyer: int, line: int, quantity: int) -> Any:
        return await self._run(lambda uow: cart_service.update_line(
            uow, buyer_id=buyer, line_id=line, quantity=quantity, hold_seconds=self.hold))

    async def remove(self, buyer: int, line: int) -> Any:
        return await self._run(lambda uow: cart_service.remove_line(
            uow, buyer_id=buyer, line_id=line, hold_seconds=self.hold))

    async def sweep(self) -> int:
        return await self.runtime.transaction(lambda uow: sweep_carts(uow))  # type: ignore[no-any-return]

    async def lines_of(self, buyer: int) -> list[Any]:
        async with self.runtime.db.read_engine.connect() as conn:
            return list((await conn.execute(
                select(cart_lines.c.id, cart_lines.c.variant_id, cart_lines.c.quantity)
                .join(carts, carts.c.id == cart_lines.c.cart_id)
                .where(carts.c.buyer_id == buyer, carts.c.status.in_(("ACTIVE", "CHECKOUT")))
                .order_by(cart_lines.c.id))).all())

    async def stock_rows(self) -> dict[int, Any]:
        async with self.runtime.db.read_engine.connect() as conn:
            return {r.variant_id: r for r in (await conn.execute(select(stock))).all()}

    async def live_held(self) -> dict[int, int]:
        async with self.runtime.db.read_engine.connect() as conn:
            rows = (await conn.execute(
                select(cart_lines.c.variant_id, func.sum(cart_lines.c.quantity))
                .join(carts, carts.c.id == cart_lines.c.cart_id)
                .where(carts.c.status.in_(("ACTIVE", "CHECKOUT")))
                .group_by(cart_lines.c.variant_id))).all()
        return {int(v): int(q) for v, q in rows}

    async def check_invariants(self) -> None:
        held = await self.live_held()
        for variant_id, row in (await self.stock_rows()).items():
            assert row.total == row.available + row.reserved + row.allocated, row
            assert min(row.available, row.reserved, row.allocated) >= 0, row
            assert row.reserved == held.get(variant_id, 0), (row, held)
