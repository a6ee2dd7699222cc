"""`Seller.products` for many sellers at once: each seller's first page of ACTIVE products
(newest first) in one windowed statement, and their counts in another, so a list of products
showing their sellers' products costs the same few statements for 1 seller or 100."""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog import ProductStatus, Product
from persistence.reads.catalog import to_product
from persistence.reads.catalog_listing import NEWEST
from persistence.reads.pagination import Cursors, Page
from persistence.tables import products


async def first_pages_by_seller(conn: AsyncConnection,
                                keys: Sequence[tuple[int, int]]) -> list[Page[Product]]:
    """keys: (seller_id, page size). One statement per distinct page size."""
    pages: dict[tuple[int, int], Page[Product]] = {}
    for size in sorted({size for _, size in keys}):
        sellers = sorted({seller for seller, s in keys if s == size})
        rank = func.row_number().over(
            partition_by=products.c.seller_id,
            order_by=(products.c.created_at.desc(), products.c.id.desc())).label("rank")
        ranked = (select(products, rank)
                  .where(products.c.seller_id.in_(sellers),
                         products.c.status == ProductStatus.ACTIVE)
                  .subquery())
        rows = (await conn.execute(select(ranked).where(ranked.c.rank <= size + 1)
                                   .order_by(ranked.c.seller_id, ranked.c.rank))).all()
        grouped: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row.seller_id].append(row)
        for seller in sellers:
            found = grouped.get(seller, [])
            shown = found[:size]
            pages[seller, size] = Page(
                items=[to_product(r) for r in shown],
                cursors=Cursors(NEWEST.encode, [(r.created_at, r.id) for r in shown]),
                has_next_page=len(found) > size, has_previous_page=False)
    return [pages[key] for key in keys]


async def active_counts_by_seller(conn: AsyncConnection, seller_ids: Sequence[int]) -> list[int]:
    rows = (await conn.execute(
        select(products.c.seller_id, func.count())
        .where(products.c.seller_id.in_(seller_ids), products.c.status == ProductStatus.ACTIVE)
        .group_by(products.c.seller_id))).all()
    counts = {seller: int(n) for seller, n in rows}
    return [counts.get(s, 0) for s in seller_ids]
