"""Use cases of a variant's stock: inventorySet and inventoryAdjust.

- The owning seller or an admin (FORBIDDEN otherwise; buyers before any lookup); an unknown
  variant is NOT_FOUND at ["variantId"].
- inventorySet(total): 0 <= total <= MAX_UNITS (INVALID_INPUT at ["total"]); units on hand
  become `total`, available = total - reserved - allocated.
- inventoryAdjust(delta): units on hand change by delta (negative removes); above MAX_UNITS
  is INVALID_INPUT at ["delta"].
- Neither can take total below what carts (reserved) and orders (allocated) hold: CONFLICT
  (at ["total"] / ["delta"]) and nothing changes. The move itself is one conditional UPDATE
  (uow.inventory); the stock row is locked first so the level before the move is exact.
- When the move takes `available` from above the variant's lowStockThreshold to at or below
  it, a LowStock event (aggregate "Variant") is written to the outbox in the same
  transaction, naming the seller, product, SKU and the new level.
"""
from __future__ import annotations

from domain import events
from domain.catalog.models import Actor, Product, Variant
from domain.catalog.ports import CatalogUnitOfWork
from domain.catalog.products import catalog_changed, require_manager
from domain.errors import conflict, forbidden, invalid, not_found
from domain.catalog.inventory import StockLevel, crossed_low_stock

MAX_UNITS = 2**31 - 1  # stock columns are INTEGER (int4 on PostgreSQL), as is GraphQL's Int


async def _managed_stock(uow: CatalogUnitOfWork, actor: Actor,
                         variant_id: int) -> tuple[Variant, Product, StockLevel]:
    require_manager(actor)
    found = await uow.catalog.stock_for_update(variant_id)
    if found is None or found[0].stock is None:
        raise not_found("No such variant.", "variantId")
    variant, product = found
    if not actor.can_manage(product):
        raise forbidden("You can only manage the stock of your own variants.", "variantId")
    assert variant.stock is not None
    return variant, product, variant.stock


async def _after_move(uow: CatalogUnitOfWork, variant: Variant, product: Product,
                      before: StockLevel, after: StockLevel) -> StockLevel:
    if crossed_low_stock(before.available, after):
        await uow.outbox.add(events.LOW_STOCK, "Variant", variant.id, {
            "variant_id": variant.id, "product_id": product.id, "seller_id": product.seller_id,
            "sku": variant.sku, "available": after.available,
            "low_stock_threshold": after.low_stock_threshold,
        }, uow.now())
    await catalog_changed(uow, product.id)
    await uow.commit()
    return after


async def set_stock(uow: CatalogUnitOfWork, *, actor: Actor, variant_id: int,
                    total: int) -> StockLevel:
    if not 0 <= total <= MAX_UNITS:
        raise invalid(f"Total must be between 0 and {MAX_UNITS}.", "total")
    variant, product, before = await _managed_stock(uow, actor, variant_id)
    after = await uow.inventory.set_total(variant_id, total)
    if after is None:
        held = before.reserved + before.allocated
        raise conflict(f"Total cannot go below the {held} units held by carts and orders.",
                       "total")
    return await _after_move(uow, variant, product, before, after)


async def adjust_stock(uow: CatalogUnitOfWork, *, actor: Actor, variant_id: int,
                       delta: int) -> StockLevel:
    variant, product, before = await _managed_stock(uow, actor, variant_id)
    if before.total + delta > MAX_UNITS:  # the row is locked: `before` is exact
        raise invalid(f"Total cannot go above {MAX_UNITS}.", "delta")
    after = await uow.inventory.adjust(variant_id, delta)
    if after is None:
        held = before.reserved + before.allocated
        raise conflict(f"Total cannot go below the {held} units held by carts and orders.",
                       "delta")
    return await _after_move(uow, variant, product, before, after)
