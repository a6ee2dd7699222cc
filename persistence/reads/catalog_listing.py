"""The product lists behind `products`, `sellerProducts`, `adminProducts` and `Seller.products`:
filters, full-text search, sorts and keyset pages (persistence/reads/pagination.py).

Filters (all optional, combined with AND):
- statuses: products in these statuses (the public list: ACTIVE only).
- search: full-text on name + description with web-search syntax (catalog_search.py: the
  GIN-indexed tsvector on PostgreSQL, FTS5 on SQLite; both stem, so "headphone" finds
  "Headphones"; hostile input is never a fault). A blank search is no filter.
- category_slug: the category with that slug (unknown slug: nothing matches).
- seller_id: one seller's products.
- min_price / max_price (minor units): a product matches when some variant's price p has
  min_price <= p <= max_price. With one bound this is exact on the product's denormalised
  columns (max_price_minor >= min_price, min_price_minor <= max_price); with both, the
  columns pre-filter and an EXISTS over the variants makes it exact (a product at 10 and 100
  does not match 50..60).
- in_stock_only: EXISTS a variant whose stock has available > 0.

Sorts (the id breaks ties, so every order is total and keyset-safe): NEWEST (created_at desc,
id desc), PRICE_ASC (min_price_minor asc, id asc), PRICE_DESC (min_price_minor desc, id desc),
NAME (name asc, id asc; the database's collation), RELEVANCE (ts_rank / -bm25 desc, id desc;
without a search it is NEWEST). Relevance scores depend on the whole corpus, so a RELEVANCE
page walk is stable only while the matching rows do not change.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog import ProductStatus, Product
from persistence.reads.catalog import to_product
from persistence.reads.direct import fetch_scalar
from persistence.reads.catalog_search import search_clause
from persistence.reads.pagination import (Ordering, Page, SortKey, fetch_built_page,
                                          page_statement)
from persistence.tables import categories, products, stock, variants

NEWEST = Ordering("NEWEST", (SortKey(products.c.created_at, True, datetime),
                             SortKey(products.c.id, True, int)))
ORDERINGS = {
    "NEWEST": NEWEST,
    "PRICE_ASC": Ordering("PRICE_ASC", (SortKey(products.c.min_price_minor, False, int),
                                        SortKey(products.c.id, False, int))),
    "PRICE_DESC": Ordering("PRICE_DESC", (SortKey(products.c.min_price_minor, True, int),
                                          SortKey(products.c.id, True, int))),
    "NAME": Ordering("NAME", (SortKey(products.c.name, False, str),
                              SortKey(products.c.id, False, int))),
}


@dataclass(frozen=True)
class ProductQuery:
    statuses: tuple[str, ...] | None = (ProductStatus.ACTIVE,)  # None: every status
    seller_id: int | None = None
    search: str | None = None
    category_slug: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock_only: bool = False
    sort: str = "NEWEST"
    match_nothing: bool = False  # e.g. a sellerId that is not one of our ids


@dataclass(frozen=True)
class Plan:
    """FROM, WHERE and relevance score of a query (shared by its page and its count)."""

    source: FromClause
    where: list[ColumnElement[bool]]
    score: ColumnElement[float] | None


def plan(q: ProductQuery, dialect: str) -> Plan:
    """The filters of `q` (module docstring) for the running dialect."""
    where: list[ColumnElement[bool]] = []
    source: FromClause = products
    score = None
    if q.match_nothing:
        where.append(false())
    if q.statuses is not None:
        where.append(products.c.status.in_(q.statuses))
    if q.seller_id is not None:
        where.append(products.c.seller_id == q.seller_id)
    if q.category_slug is not None:
        where.append(products.c.category_id == select(categories.c.id).where(
            categories.c.slug == q.category_slug).scalar_subquery())
    if q.min_price is not None:
        where.append(products.c.max_price_minor >= q.min_price)
    if q.max_price is not None:
        where.append(products.c.min_price_minor <= q.max_price)
    if q.min_price is not None and q.max_price is not None:
        where.append(exists().where(variants.c.product_id == products.c.id,
                                    variants.c.price_minor.between(q.min_price, q.max_price)))
    if q.in_stock_only:
        where.append(exists().select_from(
            variants.join(stock, stock.c.variant_id == variants.c.id)
        ).where(variants.c.product_id == products.c.id, stock.c.available > 0))
    if q.search is not None and q.search.strip():
        source, matches, score = search_clause(dialect, q.search.strip())
        where.append(matches)
    return Plan(source, where, score)


def ordering_for(q: ProductQuery, score: ColumnElement[float] | None) -> Ordering:
    if q.sort == "RELEVANCE":
        if score is None:
            return NEWEST
        return Ordering("RELEVANCE", (SortKey(score, True, float),
                                      SortKey(products.c.id, True, int)))
    return ORDERINGS.get(q.sort, NEWEST)


@lru_cache(maxsize=256)
def _page_statement(q: ProductQuery, dialect: str, after: bool) -> tuple[Select[Any], Ordering]:
    """The page statement of a query shape, built once (docs/architecture.md, "Where a
    request's time goes"): the filter values are part of `q`, the cursor and LIMIT are bound
    at execution."""
    found = plan(q, dialect)
    ordering = ordering_for(q, found.score)
    stmt: Select[Any] = select(products).select_from(found.source).where(*found.where)
    return page_statement(stmt, ordering, after=after), ordering


@lru_cache(maxsize=256)
def _count_statement(q: ProductQuery, dialect: str) -> Select[Any]:
    found = plan(q, dialect)
    return select(func.count()).select_from(found.source).where(*found.where)


async def product_page(conn: AsyncConnection, q: ProductQuery, *, first: int,
                       after: str | None) -> Page[Product]:
    built, ordering = _page_statement(q, conn.dialect.name, after is not None)
    return await fetch_built_page(conn, built, ordering, first=first, after=after,
                                  item=to_product)


async def product_count(conn: AsyncConnection, q: ProductQuery) -> int:
    """How many products match the filters (the connection's totalCount)."""
    stmt = _count_statement(q, conn.dialect.name)
    return int(await fetch_scalar(conn, stmt))
