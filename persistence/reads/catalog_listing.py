"""The product lists behind `products`, `sellerProducts`, `adminProducts` and `Seller.products`:
filters, full-text search, sorts and keyset pages (persistence/reads/pagination.py).

Filters (all optional, combined with AND):
- statuses: products in these statuses (the public list: ACTIVE only).
- search: full-text on name + description. PostgreSQL: `to_tsvector('english', name || ' ' ||
  description) @@ websearch_to_tsquery('english', :q)`, the very expression of the GIN index
  ix_products_search, so the index serves it. SQLite: the FTS5 table products_fts (porter
  stemmer) with every word of the input quoted as an FTS5 string and ANDed, so no input can
  inject FTS5 syntax. Both stem ("headphone" finds "Headphones"). A search with no word
  characters at all matches nothing; a blank one is no filter.
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

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Select,
    String,
    bindparam,
    column,
    exists,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog import ACTIVE, Product
from persistence.reads.catalog import to_product
from persistence.reads.pagination import Ordering, Page, SortKey, fetch_page
from persistence.tables import categories, products, stock, variants

MAX_SEARCH_WORDS = 32
_WORD = re.compile(r"\w+")
_FTS = table("products_fts", column("rowid"))
_TSV = literal_column("to_tsvector('english', products.name || ' ' || products.description)")

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
    statuses: tuple[str, ...] | None = (ACTIVE,)  # None: every status
    seller_id: int | None = None
    search: str | None = None
    category_slug: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    in_stock_only: bool = False
    sort: str = "NEWEST"
    match_nothing: bool = False  # e.g. a sellerId that is not one of our ids


def fts5_query(text: str) -> str | None:
    """The user's words as ANDed FTS5 strings ("a" "b"), or None when there is no word."""
    words = _WORD.findall(text)[:MAX_SEARCH_WORDS]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) or None


@dataclass(frozen=True)
class _Plan:
    source: FromClause
    where: list[ColumnElement[bool]]
    score: ColumnElement[float] | None


def _search(dialect: str, text: str, where: list[ColumnElement[bool]]
            ) -> tuple[FromClause, ColumnElement[float] | None]:
    if not _WORD.search(text):
        where.append(false())
        return products, None
    if dialect == "postgresql":
        query = func.websearch_to_tsquery(literal_column("'english'"),
                                          bindparam("search", text, type_=String))
        where.append(_TSV.op("@@")(query))
        return products, func.ts_rank(_TSV, query, type_=Float)
    fts = literal_column("products_fts")
    where.append(fts.op("MATCH")(bindparam("search", fts5_query(text), type_=String)))
    return (products.join(_FTS, _FTS.c.rowid == products.c.id),
            -func.bm25(fts, type_=Float))


def _plan(q: ProductQuery, dialect: str) -> _Plan:
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
        source, score = _search(dialect, q.search.strip()[:500], where)
    return _Plan(source, where, score)


def ordering_for(q: ProductQuery, score: ColumnElement[float] | None) -> Ordering:
    if q.sort == "RELEVANCE":
        if score is None:
            return NEWEST
        return Ordering("RELEVANCE", (SortKey(score, True, float),
                                      SortKey(products.c.id, True, int)))
    return ORDERINGS.get(q.sort, NEWEST)


async def product_page(conn: AsyncConnection, q: ProductQuery, *, first: int,
                       after: str | None) -> Page[Product]:
    plan = _plan(q, conn.dialect.name)
    stmt: Select[Any] = select(products).select_from(plan.source).where(*plan.where)
    return await fetch_page(conn, stmt, ordering_for(q, plan.score), first=first, after=after,
                            item=to_product)


async def product_count(conn: AsyncConnection, q: ProductQuery) -> int:
    """How many products match the filters (the connection's totalCount)."""
    plan = _plan(q, conn.dialect.name)
    stmt = select(func.count()).select_from(plan.source).where(*plan.where)
    return int((await conn.execute(stmt)).scalar_one())
