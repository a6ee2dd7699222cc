"""Batched reads for carts: lines (with each variant's current price) by cart id."""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.cart.model import Cart, CartLine
from persistence.repositories.carts import to_line
from persistence.tables import cart_lines, products, variants


async def lines_by_cart(conn: AsyncConnection, cart_ids: Sequence[int]) -> list[list[CartLine]]:
    rows = (await conn.execute(
        select(cart_lines, variants.c.price_minor, products.c.currency)
        .join(variants, variants.c.id == cart_lines.c.variant_id)
        .join(products, products.c.id == variants.c.product_id)
        .where(cart_lines.c.cart_id.in_(cart_ids))
        .order_by(cart_lines.c.id))).all()
    grouped: dict[int, list[CartLine]] = defaultdict(list)
    for row in rows:
        grouped[row.cart_id].append(to_line(row, row.price_minor, row.currency))
    return [grouped.get(cart_id, []) for cart_id in cart_ids]


async def cart_by_id(conn: AsyncConnection, cart_id: int) -> Cart | None:
    from persistence.repositories.carts import to_cart
    from persistence.tables import carts

    row = (await conn.execute(select(carts).where(carts.c.id == cart_id))).first()
    return to_cart(row) if row else None


async def line_with_owner(conn: AsyncConnection, line_id: int) -> tuple[CartLine, int] | None:
    """A line with its current price, and the id of the buyer whose cart holds it."""
    from persistence.tables import carts

    row = (await conn.execute(
        select(cart_lines, variants.c.price_minor, products.c.currency, carts.c.buyer_id)
        .join(carts, carts.c.id == cart_lines.c.cart_id)
        .join(variants, variants.c.id == cart_lines.c.variant_id)
        .join(products, products.c.id == variants.c.product_id)
        .where(cart_lines.c.id == line_id))).first()
    return (to_line(row, row.price_minor, row.currency), row.buyer_id) if row else None
