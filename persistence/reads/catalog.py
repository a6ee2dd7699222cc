"""Batched read queries of the catalogue for the dataloaders (dataloaders/loaders.py), and the
row -> domain mappers the catalogue repository shares.

Each batch query takes (connection, keys) and returns one value per key, aligned with the keys:
None (to-one) or [] (to-many) where nothing matches. Variants are always read joined with
their product's currency and their stock row, so a variant costs no further statement for its
price or quantityAvailable.
"""
from __future__ import annotations

from collections import defaultdict
from operator import itemgetter
from typing import Any, Callable, Hashable, Sequence, TypeVar

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog import Category, Product, ProductImage, ProductStatus, Variant
from domain.catalog.inventory import StockLevel
from persistence.reads.direct import fetch_rows
from persistence.reads.primed import Primed
from persistence.tables import categories, product_images, products, stock, variants

T = TypeVar("T")

_STOCK = (stock.c.variant_id.label("stock_variant_id"), stock.c.total.label("stock_total"),
          stock.c.available.label("stock_available"),
          stock.c.reserved.label("stock_reserved"),
          stock.c.allocated.label("stock_allocated"),
          stock.c.low_stock_threshold.label("stock_threshold"))
VARIANT_COLUMNS = (variants.c.id, variants.c.product_id, variants.c.sku, variants.c.name,
                   variants.c.price_minor, variants.c.position, products.c.currency, *_STOCK)
_STATUS = {status.value: status for status in ProductStatus}

# Rows are mapped once, by position, straight into the domain objects (docs/architecture.md,
# "Where a request's time goes"). The column orders they rely on: `products` in table order
# first (select(products), returning(*products.c)); VARIANT_COLUMNS; _STOCK; `categories` and
# `product_images` in table order.


def to_product(row: Any) -> Product:
    """A row that starts with the `products` columns in table order."""
    return Product(row[0], row[1], row[2], row[3], row[4], row[5], _STATUS[row[6]], row[7],
                   row[8], row[9], row[11], row[12], bool(row[10]))


def _stock_at(row: Any, i: int) -> StockLevel | None:
    if row[i] is None:
        return None
    return StockLevel(row[i], row[i + 1], row[i + 2], row[i + 3], row[i + 4], row[i + 5])


def to_stock(row: Any) -> StockLevel | None:
    """A row of _STOCK."""
    return _stock_at(row, 0)


def to_variant(row: Any) -> Variant:
    """A row of VARIANT_COLUMNS (variant_select)."""
    return Variant(row[0], row[1], row[2], row[3], row[4], row[6], row[5], _stock_at(row, 7))


def to_category(row: Any) -> Category:
    """A row of `categories` in table order."""
    return Category(row[0], row[1], row[2], row[3])


def to_image(row: Any) -> ProductImage:
    """A row of `product_images` in table order (id, product_id, url, alt_text, position)."""
    return ProductImage(row[2], row[3], row[4])


def variant_select() -> Select[Any]:
    """Variants with their product's currency and their stock (one joined query)."""
    return select(*VARIANT_COLUMNS).select_from(
        variants.join(products, products.c.id == variants.c.product_id)
        .outerjoin(stock, stock.c.variant_id == variants.c.id))


def _keys() -> BindParameter[Any]:
    """The batch's keys, bound at execution: the statements below are built once and run
    again as the same objects (SQLAlchemy's compiled cache hits without a cache key)."""
    return bindparam("keys", expanding=True)


def _aligned(keys: Sequence[Hashable], rows: Sequence[Any], key: Callable[[Any], Hashable],
             build: Callable[[Any], T | None]) -> list[T | None]:
    found = {key(row): build(row) for row in rows}
    return [found.get(k) for k in keys]


def _grouped(keys: Sequence[Hashable], rows: Sequence[Any], key: Callable[[Any], Hashable],
             build: Callable[[Any], T]) -> list[list[T]]:
    groups: dict[Hashable, list[T]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(build(row))
    return [groups.get(k, []) for k in keys]


_CATEGORY = (categories.c.id.label("cat_id"), categories.c.slug.label("cat_slug"),
             categories.c.name.label("cat_name"), categories.c.position.label("cat_position"))
_CAT_AT = len(products.c)  # where _CATEGORY starts in a row of _PRODUCTS

_PRODUCTS = select(products, *_CATEGORY).select_from(
    products.outerjoin(categories, categories.c.id == products.c.category_id))
_PRODUCTS_BY_ID = _PRODUCTS.where(products.c.id.in_(_keys()))
_PRODUCTS_BY_SLUG = _PRODUCTS.where(products.c.slug.in_(_keys()))
_VARIANTS_BY_ID = variant_select().where(variants.c.id.in_(_keys()))
_VARIANTS_BY_SKU = variant_select().where(variants.c.sku.in_(_keys()))
_VARIANTS_BY_PRODUCT = (variant_select().where(variants.c.product_id.in_(_keys()))
                        .order_by(variants.c.position, variants.c.id))
_IMAGES_BY_PRODUCT = (select(product_images).where(product_images.c.product_id.in_(_keys()))
                      .order_by(product_images.c.position, product_images.c.id))
_CATEGORIES_BY_ID = select(categories).where(categories.c.id.in_(_keys()))
_STOCK_BY_VARIANT = select(*_STOCK).where(stock.c.variant_id.in_(_keys()))
_ALL_CATEGORIES = select(categories).order_by(categories.c.position, categories.c.name,
                                              categories.c.id)


async def _rows(conn: AsyncConnection, stmt: Select[Any], keys: Sequence[Any]) -> Sequence[Any]:
    return await fetch_rows(conn, stmt, {"keys": list(keys)})


def _primed(values: list[Product | None], rows: Sequence[Any]) -> Primed:
    at = _CAT_AT
    cats = [(r[at], Category(r[at], r[at + 1], r[at + 2], r[at + 3]))
            for r in rows if r[at] is not None]
    return Primed(values, {"category_by_id": cats})


async def products_by_id(conn: AsyncConnection, ids: Sequence[int]) -> Primed:
    """Products (one per id, None where missing), their categories primed."""
    rows = await _rows(conn, _PRODUCTS_BY_ID, ids)
    return _primed(_aligned(ids, rows, itemgetter(0), to_product), rows)


async def products_by_slug(conn: AsyncConnection, slugs: Sequence[str]) -> Primed:
    """Products (one per slug, None where missing), their categories primed."""
    rows = await _rows(conn, _PRODUCTS_BY_SLUG, slugs)
    return _primed(_aligned(slugs, rows, itemgetter(3), to_product), rows)


async def variants_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Variant | None]:
    return _aligned(ids, await _rows(conn, _VARIANTS_BY_ID, ids), itemgetter(0), to_variant)


async def variants_by_sku(conn: AsyncConnection, skus: Sequence[str]) -> list[Variant | None]:
    return _aligned(skus, await _rows(conn, _VARIANTS_BY_SKU, skus), itemgetter(2), to_variant)


async def variants_by_product_id(conn: AsyncConnection,
                                 ids: Sequence[int]) -> list[list[Variant]]:
    rows = await _rows(conn, _VARIANTS_BY_PRODUCT, ids)
    return _grouped(ids, rows, itemgetter(1), to_variant)


async def images_by_product_id(conn: AsyncConnection,
                               ids: Sequence[int]) -> list[list[ProductImage]]:
    rows = await _rows(conn, _IMAGES_BY_PRODUCT, ids)
    return _grouped(ids, rows, itemgetter(1), to_image)


async def categories_by_id(conn: AsyncConnection,
                           ids: Sequence[int]) -> list[Category | None]:
    rows = await _rows(conn, _CATEGORIES_BY_ID, ids)
    return _aligned(ids, rows, itemgetter(0), to_category)


async def stock_by_variant_id(conn: AsyncConnection,
                              ids: Sequence[int]) -> list[StockLevel | None]:
    rows = await _rows(conn, _STOCK_BY_VARIANT, ids)
    return _aligned(ids, rows, itemgetter(0), to_stock)


async def all_categories(conn: AsyncConnection) -> list[Category]:
    """Every category, by position then name."""
    return [to_category(row) for row in await fetch_rows(conn, _ALL_CATEGORIES)]
