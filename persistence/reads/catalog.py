"""Batched read queries of the catalogue for the dataloaders (dataloaders/loaders.py), and the
row -> domain mappers the catalogue repository shares.

Each batch query takes (connection, keys) and returns one value per key, aligned with the keys:
None (to-one) or [] (to-many) where nothing matches. Variants are always read joined with
their product's currency and their stock row, so a variant costs no further statement for its
price or quantityAvailable.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Hashable, Sequence, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalog import Category, Product, ProductImage, ProductStatus, Variant
from domain.catalog.inventory import StockLevel
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


def to_product(row: Any) -> Product:
    m = row._mapping
    return Product(
        id=m["id"], seller_id=m["seller_id"], category_id=m["category_id"], slug=m["slug"],
        name=m["name"], description=m["description"], status=ProductStatus(m["status"]),
        currency=m["currency"], min_price_minor=m["min_price_minor"],
        max_price_minor=m["max_price_minor"], created_at=m["created_at"],
        updated_at=m["updated_at"], has_history=bool(m["has_history"]))


def to_stock(row: Any) -> StockLevel | None:
    m = row._mapping
    if m["stock_variant_id"] is None:
        return None
    return StockLevel(variant_id=m["stock_variant_id"], total=m["stock_total"],
                      available=m["stock_available"], reserved=m["stock_reserved"],
                      allocated=m["stock_allocated"], low_stock_threshold=m["stock_threshold"])


def to_variant(row: Any) -> Variant:
    m = row._mapping
    return Variant(id=m["id"], product_id=m["product_id"], sku=m["sku"], name=m["name"],
                   price_minor=m["price_minor"], currency=m["currency"],
                   position=m["position"], stock=to_stock(row))


def to_category(row: Any) -> Category:
    return Category(id=row.id, slug=row.slug, name=row.name, position=row.position)


def to_image(row: Any) -> ProductImage:
    return ProductImage(url=row.url, alt_text=row.alt_text, position=row.position)


def variant_select() -> Select[Any]:
    """Variants with their product's currency and their stock (one joined query)."""
    return select(*VARIANT_COLUMNS).select_from(
        variants.join(products, products.c.id == variants.c.product_id)
        .outerjoin(stock, stock.c.variant_id == variants.c.id))


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


def _with_categories(query: Select[Any]) -> Select[Any]:
    """Products joined with their category: `category_by_id` is primed from the same rows."""
    return query.add_columns(*_CATEGORY).select_from(
        products.outerjoin(categories, categories.c.id == products.c.category_id))


def _primed(values: list[Product | None], rows: Sequence[Any]) -> Primed:
    cats = [(r.cat_id, Category(id=r.cat_id, slug=r.cat_slug, name=r.cat_name,
                                position=r.cat_position)) for r in rows if r.cat_id is not None]
    return Primed(values, {"category_by_id": cats})


async def products_by_id(conn: AsyncConnection, ids: Sequence[int]) -> Primed:
    """Products (one per id, None where missing), their categories primed."""
    rows = (await conn.execute(_with_categories(select(products))
                               .where(products.c.id.in_(ids)))).all()
    return _primed(_aligned(ids, rows, lambda r: r.id, to_product), rows)


async def products_by_slug(conn: AsyncConnection, slugs: Sequence[str]) -> Primed:
    """Products (one per slug, None where missing), their categories primed."""
    rows = (await conn.execute(_with_categories(select(products))
                               .where(products.c.slug.in_(slugs)))).all()
    return _primed(_aligned(slugs, rows, lambda r: r.slug, to_product), rows)


async def variants_by_id(conn: AsyncConnection, ids: Sequence[int]) -> list[Variant | None]:
    rows = (await conn.execute(variant_select().where(variants.c.id.in_(ids)))).all()
    return _aligned(ids, rows, lambda r: r.id, to_variant)


async def variants_by_sku(conn: AsyncConnection, skus: Sequence[str]) -> list[Variant | None]:
    rows = (await conn.execute(variant_select().where(variants.c.sku.in_(skus)))).all()
    return _aligned(skus, rows, lambda r: r.sku, to_variant)


async def variants_by_product_id(conn: AsyncConnection,
                                 ids: Sequence[int]) -> list[list[Variant]]:
    rows = (await conn.execute(variant_select().where(variants.c.product_id.in_(ids))
                               .order_by(variants.c.position, variants.c.id))).all()
    return _grouped(ids, rows, lambda r: r.product_id, to_variant)


async def images_by_product_id(conn: AsyncConnection,
                               ids: Sequence[int]) -> list[list[ProductImage]]:
    rows = (await conn.execute(
        select(product_images).where(product_images.c.product_id.in_(ids))
        .order_by(product_images.c.position, product_images.c.id))).all()
    return _grouped(ids, rows, lambda r: r.product_id, to_image)


async def categories_by_id(conn: AsyncConnection,
                           ids: Sequence[int]) -> list[Category | None]:
    rows = (await conn.execute(select(categories).where(categories.c.id.in_(ids)))).all()
    return _aligned(ids, rows, lambda r: r.id, to_category)


async def stock_by_variant_id(conn: AsyncConnection,
                              ids: Sequence[int]) -> list[StockLevel | None]:
    rows = (await conn.execute(select(*_STOCK).where(stock.c.variant_id.in_(ids)))).all()
    return _aligned(ids, rows, lambda r: r.stock_variant_id, to_stock)


async def all_categories(conn: AsyncConnection) -> list[Category]:
    """Every category, by position then name."""
    rows = (await conn.execute(
        select(categories).order_by(categories.c.position, categories.c.name,
                                    categories.c.id))).all()
    return [to_category(row) for row in rows]
