"""Use cases of the seller's catalogue: productCreate, productUpdate, productDelete,
variantUpdate. Each runs in one unit of work and ends with `await uow.commit()`; any
DomainError / ErrorList leaves the transaction uncommitted (nothing changes).

- productCreate: sellers only (FORBIDDEN otherwise, admins included: a product needs a seller).
  The category must exist (NOT_FOUND at ["input", "categorySlug"]); a SKU already in the
  catalogue is a CONFLICT at ["input", "variants", i, "sku"]. Creates the product with a
  unique slug, its variants with their stock rows (threshold from configuration), its images,
  and the product's min/max price columns.
- productUpdate / productDelete / variantUpdate: the owning seller or an admin (FORBIDDEN
  otherwise; buyers before any lookup); unknown ids are NOT_FOUND at ["id"].
- productUpdate: only the fields given change; imageUrls replaces the images; an explicit
  null categorySlug removes the category; any status change is allowed (DRAFT, ACTIVE,
  ARCHIVED in any direction: an archived product can be re-listed).
- productDelete: a product with history (orders set products.has_history; any cart line
  pointing at one of its variants counts too) is ARCHIVED instead; otherwise its stock,
  variants, images and row are erased. Should another table still reference it, it is
  archived as well. The outcome carries the archived product or the erased one's last state.
- variantUpdate: a price change recomputes the product's min/max price columns in the same
  transaction (the product row is locked first, so concurrent changes serialise).
"""
from __future__ import annotations

from typing import Any

from domain.catalog.models import Actor, Product, ProductStatus, RemovedProduct, Variant
from domain import events
from domain.catalog.ports import CatalogUnitOfWork
from domain.catalog.rules import (
    NewProduct,
    ProductChanges,
    VariantChanges,
    checked_changes,
    checked_new_product,
    checked_variant_changes,
    price_range,
    slugify,
)
from domain.errors import DomainError, ErrorList, conflict, forbidden, not_found


async def create_product(uow: CatalogUnitOfWork, *, actor: Actor, data: NewProduct,
                         low_stock_threshold: int) -> Product:
    if actor.seller_id is None:
        raise forbidden("Only seller accounts can create products.")
    data = checked_new_product(data)
    errors: list[DomainError] = []
    category_id = None
    if data.category_slug is not None:
        category = await uow.catalog.category_by_slug(data.category_slug)
        if category is None:
            errors.append(not_found("No such category.", "input", "categorySlug"))
        else:
            category_id = category.id
    taken = await uow.catalog.existing_skus([v.sku for v in data.variants])
    errors += [conflict(f"SKU {v.sku} is already in use.", "input", "variants", str(i), "sku")
               for i, v in enumerate(data.variants) if v.sku in taken]
    if errors:
        raise ErrorList(errors)
    low, high = price_range([v.price_minor for v in data.variants])
    now = uow.now()
    product = await uow.catalog.insert_product(
        seller_id=actor.seller_id, category_id=category_id, slug_base=slugify(data.name),
        name=data.name, description=data.description, status=data.status,
        currency=data.currency, min_price_minor=low, max_price_minor=high, now=now)
    for i, variant in enumerate(data.variants):
        variant_id = await uow.catalog.insert_variant(product.id, variant, i, now)
        if variant_id is None:  # taken by a concurrent transaction since the check above
            raise conflict(f"SKU {variant.sku} is already in use.",
                           "input", "variants", str(i), "sku")
        await uow.inventory.create(variant_id, variant.stock, low_stock_threshold)
    await uow.catalog.insert_images(product.id, data.image_urls, data.name)
    await catalog_changed(uow, product.id)
    await uow.commit()
    return product


async def catalog_changed(uow: CatalogUnitOfWork, product_id: int) -> None:
    """The CatalogChanged event of a committed catalogue change (read by the response cache,
    docs/rules.md "Response cache"): no sellerId, so no subscription sees it."""
    await uow.outbox.add(events.CATALOG_CHANGED, "Product", product_id,
                         {"productId": product_id}, uow.now())


def require_manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise forbidden("Only seller and admin accounts can manage the catalogue.")


async def _managed_product(uow: CatalogUnitOfWork, actor: Actor, product_id: int) -> Product:
    require_manager(actor)
    product = await uow.catalog.product_for_update(product_id)
    if product is None:
        raise not_found("No such product.", "id")
    if not actor.can_manage(product):
        raise forbidden("You can only manage your own products.", "id")
    return product


async def update_product(uow: CatalogUnitOfWork, *, actor: Actor, product_id: int,
                         changes: ProductChanges) -> Product:
    await _managed_product(uow, actor, product_id)
    changes = checked_changes(changes)
    values: dict[str, Any] = {}
    if changes.set_category:
        values["category_id"] = None
        if changes.category_slug is not None:
            category = await uow.catalog.category_by_slug(changes.category_slug)
            if category is None:
                raise not_found("No such category.", "input", "categorySlug")
            values["category_id"] = category.id
    for name in ("name", "description", "status"):
        if getattr(changes, name) is not None:
            values[name] = getattr(changes, name)
    updated = await uow.catalog.update_product(product_id, values, uow.now())
    if changes.image_urls is not None:
        await uow.catalog.replace_images(product_id, changes.image_urls, updated.name)
    await catalog_changed(uow, product_id)
    await uow.commit()
    return updated


async def delete_product(uow: CatalogUnitOfWork, *, actor: Actor,
                         product_id: int) -> RemovedProduct:
    product = await _managed_product(uow, actor, product_id)
    if not product.has_history and not await uow.catalog.in_any_cart(product_id):
        variants = await uow.catalog.variants_of(product_id)
        images = await uow.catalog.images_of(product_id)
        if await uow.catalog.erase_product(product_id):
            await catalog_changed(uow, product_id)
            await uow.commit()
            return RemovedProduct(product, archived=False, variants=tuple(variants),
                                  images=tuple(images))
    archived = await uow.catalog.update_product(
        product_id, {"status": ProductStatus.ARCHIVED}, uow.now())
    await catalog_changed(uow, product_id)
    await uow.commit()
    return RemovedProduct(archived, archived=True)


async def update_variant(uow: CatalogUnitOfWork, *, actor: Actor, variant_id: int,
                         changes: VariantChanges) -> Variant:
    require_manager(actor)
    found = await uow.catalog.variant_for_update(variant_id)
    if found is None:
        raise not_found("No such variant.", "id")
    variant, product = found
    if not actor.can_manage(product):
        raise forbidden("You can only manage your own variants.", "id")
    changes = checked_variant_changes(changes)
    values: dict[str, Any] = {}
    if changes.name is not None:
        values["name"] = changes.name
    if changes.price_minor is not None:
        values["price_minor"] = changes.price_minor
    updated = await uow.catalog.update_variant(variant_id, values)
    if changes.price_minor is not None and changes.price_minor != variant.price_minor:
        await uow.catalog.refresh_price_range(product.id, uow.now())
    await catalog_changed(uow, product.id)
    await uow.commit()
    return updated
