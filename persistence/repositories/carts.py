"""Carts and their lines. Every write is one statement; the live cart's row is touched first
(`touch_live`), which also locks it on PostgreSQL, so mutations of one cart are serialised."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, delete, func, or_, select, text, update

from domain.cart.model import (
    LIVE_STATUSES,
    MAX_QUANTITY,
    Cart,
    CartLine,
    CartStatus,
    VariantForCart,
)
from persistence.repositories.base import Repository
from persistence.tables import cart_lines, carts, products, stock, variants

_LIVE = carts.c.status.in_(LIVE_STATUSES)


def to_cart(row: Any, lines: Sequence[CartLine] = ()) -> Cart:
    return Cart(id=row.id, buyer_id=row.buyer_id, status=row.status, currency=row.currency,
                created_at=row.created_at, updated_at=row.updated_at,
                expires_at=row.expires_at, lines=tuple(lines))


def to_line(row: Any, price: int | None = None, currency: str = "USD") -> CartLine:
    return CartLine(id=row.id, cart_id=row.cart_id, variant_id=row.variant_id,
                    quantity=row.quantity,
                    unit_price_minor=row.unit_price_minor if price is None else price,
                    added_price_minor=row.unit_price_minor, reserved_until=row.reserved_until,
                    currency=currency)


class CartRepository(Repository):
    # --- the cart row
    async def touch_live(self, buyer_id: int, now: datetime, expires_at: datetime, *,
                         status: str | None = None) -> Cart | None:
        """Extend the hold of the buyer's live, not lapsed cart (and lock it), moving it to
        `status` when given, in one statement. None when the buyer has no live cart or its
        holds have lapsed."""
        moved = {"status": status} if status is not None else {}
        row = (await self.conn.execute(
            update(carts)
            .where(carts.c.buyer_id == buyer_id, _LIVE,
                   or_(carts.c.expires_at.is_(None), carts.c.expires_at > now))
            .values(updated_at=now, expires_at=expires_at, **moved)
            .returning(*carts.c)
        )).first()
        return to_cart(row) if row else None

    async def live_for_buyer(self, buyer_id: int, *, lock: bool = True) -> Cart | None:
        stmt = select(carts).where(carts.c.buyer_id == buyer_id, _LIVE)
        row = (await self.conn.execute(self.lock(stmt) if lock else stmt)).first()
        return to_cart(row) if row else None

    async def create(self, buyer_id: int, now: datetime,
                     expires_at: datetime | None = None) -> Cart:
        """A new ACTIVE cart; if a concurrent request created the buyer's live cart first,
        that one is returned (the partial unique index decides, no 500)."""
        stmt = self.upsert(carts).values(
            buyer_id=buyer_id, status=CartStatus.ACTIVE, currency="USD", created_at=now,
            updated_at=now, expires_at=expires_at,
        ).on_conflict_do_nothing(index_elements=[carts.c.buyer_id],
                                 index_where=text("status IN ('ACTIVE','CHECKOUT')"))
        row = (await self.conn.execute(stmt.returning(*carts.c))).first()
        if row is not None:
            return to_cart(row)
        existing = await self.live_for_buyer(buyer_id)
        assert existing is not None, "live cart vanished during creation"
        return existing

    async def set_currency(self, cart_id: int, currency: str) -> None:
        await self.conn.execute(update(carts).where(carts.c.id == cart_id)
                                .values(currency=currency))

    async def clear_expiry(self, cart_id: int) -> None:
        """An emptied cart holds nothing, so it cannot lapse."""
        await self.conn.execute(update(carts).where(carts.c.id == cart_id)
                                .values(expires_at=None))

    async def set_status(self, cart_id: int, status: str, now: datetime) -> None:
        await self.conn.execute(update(carts).where(carts.c.id == cart_id)
                                .values(status=status, updated_at=now))

    # --- lines
    async def variant_for_cart(self, variant_id: int) -> VariantForCart | None:
        row = (await self.conn.execute(
            select(variants.c.id, variants.c.price_minor, products.c.currency,
                   products.c.status, products.c.seller_id, stock.c.total, stock.c.available)
            .join(products, products.c.id == variants.c.product_id)
            .join(stock, stock.c.variant_id == variants.c.id)
            .where(variants.c.id == variant_id)
        )).first()
        if row is None:
            return None
        return VariantForCart(variant_id=row.id, price_minor=row.price_minor,
                              currency=row.currency, product_status=row.status,
                              seller_id=row.seller_id, total=row.total,
                              available=row.available)

    async def add_quantity(self, cart_id: int, variant_id: int, quantity: int,
                           price_minor: int, now: datetime,
                           reserved_until: datetime) -> CartLine | None:
        """Insert the line or add to its quantity, unless that passes the cap (-> None)."""
        stmt = self.upsert(cart_lines).values(
            cart_id=cart_id, variant_id=variant_id, quantity=quantity,
            unit_price_minor=price_minor, reserved_until=reserved_until, created_at=now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[cart_lines.c.cart_id, cart_lines.c.variant_id],
            set_={"quantity": cart_lines.c.quantity + stmt.excluded.quantity},
            where=cart_lines.c.quantity + stmt.excluded.quantity <= MAX_QUANTITY,
        ).returning(*cart_lines.c)
        row = (await self.conn.execute(stmt)).first()
        return to_line(row) if row else None

    async def line_of_cart(self, line_id: int, cart_id: int) -> CartLine | None:
        row = (await self.conn.execute(
            select(cart_lines).where(cart_lines.c.id == line_id,
                                     cart_lines.c.cart_id == cart_id))).first()
        return to_line(row) if row else None

    async def set_line_quantity(self, line_id: int, old: int, new: int) -> bool:
        result = await self.conn.execute(
            update(cart_lines).where(cart_lines.c.id == line_id, cart_lines.c.quantity == old)
            .values(quantity=new))
        return result.rowcount == 1

    async def delete_line(self, line_id: int, cart_id: int) -> CartLine | None:
        row = (await self.conn.execute(
            delete(cart_lines).where(cart_lines.c.id == line_id,
                                     cart_lines.c.cart_id == cart_id)
            .returning(*cart_lines.c))).first()
        return to_line(row) if row else None

    async def extend_lines(self, cart_id: int, reserved_until: datetime) -> list[CartLine]:
        """Every line's hold now lasts until `reserved_until`; returns the cart's lines."""
        rows = (await self.conn.execute(
            update(cart_lines).where(cart_lines.c.cart_id == cart_id)
            .values(reserved_until=reserved_until)
            .returning(*cart_lines.c))).all()
        return sorted((to_line(r) for r in rows), key=lambda line: line.id)

    async def lines_with_prices(self, cart_id: int) -> list[CartLine]:
        """The cart's lines with each variant's current price and currency."""
        rows = (await self.conn.execute(
            select(cart_lines, variants.c.price_minor, products.c.currency)
            .join(variants, variants.c.id == cart_lines.c.variant_id)
            .join(products, products.c.id == variants.c.product_id)
            .where(cart_lines.c.cart_id == cart_id).order_by(cart_lines.c.id))).all()
        return [to_line(r, r.price_minor, r.currency) for r in rows]

    async def reprice_lines(self, prices: dict[int, int]) -> None:
        """Record the current price as the price the buyer has now seen (line id -> price)."""
        if not prices:
            return
        await self.conn.execute(
            update(cart_lines).where(cart_lines.c.id == bindparam("line_id"))
            .values(unit_price_minor=bindparam("price")),
            [{"line_id": k, "price": v} for k, v in prices.items()])

    # --- expiry (sweeper and lazy expiry on access)
    async def lapsed_ids(self, now: datetime, limit: int) -> list[int]:
        stmt = (select(carts.c.id).where(_LIVE, carts.c.expires_at <= now)
                .order_by(carts.c.expires_at).limit(limit))
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return list((await self.conn.execute(stmt)).scalars())

    async def expire(self, cart_ids: Sequence[int], now: datetime) -> list[tuple[int, int]]:
        """Mark lapsed live carts EXPIRED; returns (cart_id, buyer_id) of those this call
        changed (a cart another sweeper or a fresh touch got first is left alone)."""
        if not cart_ids:
            return []
        rows = (await self.conn.execute(
            update(carts)
            .where(carts.c.id.in_(cart_ids), _LIVE, carts.c.expires_at <= now)
            .values(status=CartStatus.EXPIRED, updated_at=now)
            .returning(carts.c.id, carts.c.buyer_id))).all()
        return [(r.id, r.buyer_id) for r in rows]

    async def held_units(self, cart_ids: Sequence[int]) -> list[tuple[int, int]]:
        """(variant_id, units) held by the lines of these carts, summed per variant."""
        if not cart_ids:
            return []
        rows = (await self.conn.execute(
            select(cart_lines.c.variant_id, func.sum(cart_lines.c.quantity))
            .where(cart_lines.c.cart_id.in_(cart_ids))
            .group_by(cart_lines.c.variant_id).order_by(cart_lines.c.variant_id))).all()
        return [(int(v), int(q)) for v, q in rows]

