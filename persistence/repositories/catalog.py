"""The catalogue in one transaction (uow.catalog): products, variants, images, and the locks
the catalogue's use cases take. Flushes, never commits; SQLAlchemy Core only.

- Slugs: the first free one of `base`, `base-2`, `base-3`, ... is claimed with INSERT ... ON
  CONFLICT (slug) DO NOTHING, so two concurrent creates of one name never collide.
- SKUs: INSERT ... ON CONFLICT (sku) DO NOTHING; None tells the use case the SKU is taken.
- Locks (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers): the product row for
  product and variant changes, the stock row for stock moves.
- erase_product deletes inside a SAVEPOINT: if anything still references the product (a foreign
  key fails), the savepoint is rolled back and False tells the use case to archive instead.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.catalog import Category, Product, ProductImage, Variant
from domain.catalog.rules import NewVariant
from persistence.reads.catalog import (
    to_category,
    to_image,
    to_product,
    to_variant,
    variant_select,
)
from persistence.repositories.base import Repository
from persistence.tables import cart_lines, categories, product_images, products, stock, variants

MAX_SLUG_ATTEMPTS = 1000


class CatalogRepository(Repository):
    async def category_by_slug(self, slug: str) -> Category | None:
        row = (await self.conn.execute(
            select(categories).where(categories.c.slug == slug))).first()
        return to_category(row) if row else None

    async def existing_skus(self, skus: Sequence[str]) -> set[str]:
        rows = await self.conn.execute(select(variants.c.sku).where(variants.c.sku.in_(skus)))
        return {row.sku for row in rows}

    async def _taken_slugs(self, base: str) -> set[str]:
        rows = await self.conn.execute(select(products.c.slug).where(
            products.c.slug.like(base.replace("_", "\\_") + "%", escape="\\")))
        return {row.slug for row in rows}

    async def insert_product(self, *, seller_id: int, category_id: int | None, slug_base: str,
                             name: str, description: str, status: str, currency: str,
                             min_price_minor: int, max_price_minor: int,
                             now: datetime) -> Product:
        taken = await self._taken_slugs(slug_base)
        values = dict(seller_id=seller_id, category_id=category_id, name=name,
                      description=description, status=status, currency=currency,
                      min_price_minor=min_price_minor, max_price_minor=max_price_minor,
                      has_history=0, created_at=now, updated_at=now)
        for n in range(1, MAX_SLUG_ATTEMPTS + 1):
            slug = slug_base if n == 1 else f"{slug_base}-{n}"
            if slug in taken:
                continue
            row = (await self.conn.execute(
                self.upsert(products).values(slug=slug, **values)
                .on_conflict_do_nothing(index_elements=[products.c.slug])
                .returning(*products.c))).first()
            if row is not None:
                return to_product(row)
        raise RuntimeError(f"no free slug for {slug_base!r}")

    async def insert_variant(self, product_id: int, variant: NewVariant, position: int,
                             now: datetime) -> int | None:
        row = (await self.conn.execute(
            self.upsert(variants).values(
                product_id=product_id, sku=variant.sku, name=variant.name,
                price_minor=variant.price_minor, position=position, created_at=now)
            .on_conflict_do_nothing(index_elements=[variants.c.sku])
            .returning(variants.c.id))).first()
        return int(row.id) if row else None

    async def insert_images(self, product_id: int, urls: Sequence[str],
                            alt_text: str | None) -> None:
        if urls:
            await self.conn.execute(insert(product_images), [
                {"product_id": product_id, "url": url, "alt_text": alt_text, "position": i}
                for i, url in enumerate(urls)])

    async def replace_images(self, product_id: int, urls: Sequence[str],
                             alt_text: str | None) -> None:
        await self.conn.execute(
            delete(product_images).where(product_images.c.product_id == product_id))
        await self.insert_images(product_id, urls, alt_text)

    async def product_for_update(self, product_id: int) -> Product | None:
        row = (await self.conn.execute(
            self.lock(select(products).where(products.c.id == product_id)))).first()
        return to_product(row) if row else None

    async def update_product(self, product_id: int, values: Mapping[str, Any],
                             now: datetime) -> Product:
        row = (await self.conn.execute(
            update(products).where(products.c.id == product_id)
            .values(**values, updated_at=now).returning(*products.c))).one()
        return to_product(row)

    async def in_any_cart(self, product_id: int) -> bool:
        """Whether any cart line (of any status) points at one of the product's variants."""
        query = select(exists().where(
            cart_lines.c.variant_id == variants.c.id, variants.c.product_id == product_id))
        return bool((await self.conn.execute(query)).scalar())

    async def variants_of(self, product_id: int) -> list[Variant]:
        rows = await self.conn.execute(variant_select().where(
            variants.c.product_id == product_id).order_by(variants.c.position, variants.c.id))
        return [to_variant(row) for row in rows]

    async def images_of(self, product_id: int) -> list[ProductImage]:
        rows = await self.conn.execute(
            select(product_images).where(product_images.c.product_id == product_id)
            .order_by(product_images.c.position, product_images.c.id))
        return [to_image(row) for row in rows]

    async def erase_product(self, product_id: int) -> bool:
        variant_ids = select(variants.c.id).where(variants.c.product_id == product_id)
        savepoint = await self.conn.begin_nested()
        try:
            await self.conn.execute(delete(stock).where(stock.c.variant_id.in_(variant_ids)))
            await self.conn.execute(delete(variants).where(variants.c.product_id == product_id))
            await self.conn.execute(
                delete(product_images).where(product_images.c.product_id == product_id))
            await self.conn.execute(delete(products).where(products.c.id == product_id))
        except IntegrityError:
            await savepoint.rollback()
            return False
        await savepoint.commit()
        return True

    async def _product_of_variant(self, variant_id: int, *, lock: bool) -> Product | None:
        stmt = (select(products).join(variants, variants.c.product_id == products.c.id)
                .where(variants.c.id == variant_id))
        if lock and self.dialect == "postgresql":
            stmt = stmt.with_for_update(of=products)
        row = (await self.conn.execute(stmt)).first()
        return to_product(row) if row else None

    async def _variant(self, variant_id: int) -> Variant:
        return to_variant((await self.conn.execute(
            variant_select().where(variants.c.id == variant_id))).one())

    async def variant_for_update(self, variant_id: int) -> tuple[Variant, Product] | None:
        """The variant and its product, the product row locked."""
        product = await self._product_of_variant(variant_id, lock=True)
        return (await self._variant(variant_id), product) if product else None

    async def stock_for_update(self, variant_id: int) -> tuple[Variant, Product] | None:
        """The variant (with its stock, read after locking the stock row) and its product."""
        if self.dialect == "postgresql":
            await self.conn.execute(select(stock.c.variant_id).where(
                stock.c.variant_id == variant_id).with_for_update())
        product = await self._product_of_variant(variant_id, lock=False)
        return (await self._variant(variant_id), product) if product else None

    async def update_variant(self, variant_id: int, values: Mapping[str, Any]) -> Variant:
        if values:
            await self.conn.execute(
                update(variants).where(variants.c.id == variant_id).values(**values))
        return await self._variant(variant_id)

    async def refresh_price_range(self, product_id: int, now: datetime) -> None:
        """The product's min/max price columns from its variants, in one UPDATE."""
        of_product = variants.c.product_id == product_id
        await self.conn.execute(update(products).where(products.c.id == product_id).values(
            min_price_minor=select(func.min(variants.c.price_minor)).where(of_product)
            .scalar_subquery(),
            max_price_minor=select(func.max(variants.c.price_minor)).where(of_product)
            .scalar_subquery(),
            updated_at=now))
