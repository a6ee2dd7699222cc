"""The seller's catalogue and stock: productCreate, productUpdate, productDelete,
variantUpdate, inventorySet, inventoryAdjust, and the sellerProducts, sellerInventory and
adminProducts queries.

Mutations need a signed-in user (top-level UNAUTHENTICATED otherwise); everything else is a
userError: a buyer gets FORBIDDEN, an id that is not one of ours NOT_FOUND. Each mutation is
one use case in one transaction (domain/catalog/products.py, stock.py): all or nothing.
Queries: sellerProducts and sellerInventory are for SELLER accounts, adminProducts for ADMIN
(top-level FORBIDDEN / UNAUTHENTICATED otherwise). sellerInventory of another seller's or an
unknown variant is null.
"""
from __future__ import annotations

from typing import Any, Optional

from strawberry import UNSET
from strawberry.types import Info

from domain.catalog import Actor
from domain.catalog import products as use_cases
from domain.catalog import stock as stock_cases
from domain.catalog.rules import NewProduct, NewVariant, ProductChanges, VariantChanges
from domain.errors import not_found
from domain.ids import decode_pk
from persistence.reads.catalog_listing import ProductQuery
from resolvers.catalog import product_connection
from resolvers.common import ctx, mutate, viewer
from schema.types.catalog import Product, ProductConnection, ProductStatus, ProductVariant
from schema.types.seller_catalog import (
    InventoryLevel,
    InventoryPayload,
    ProductCreateInput,
    ProductPayload,
    ProductUpdateInput,
    VariantPayload,
    VariantUpdateInput,
)


async def _actor(info: Info) -> Actor:
    v = await viewer(info)
    return Actor(user_id=v.user_id, seller_id=v.seller_id, is_admin=v.is_admin)


def _pk(value: str, type_name: str, field: str) -> int:
    pk = decode_pk(value, type_name)
    if pk is None:
        raise not_found(f"No such {type_name[0].lower()}{type_name[1:]}.", field)
    return pk


def _given(value: Any) -> Any:
    return None if value is UNSET else value


async def product_create(info: Info, input: ProductCreateInput) -> ProductPayload:
    actor = await _actor(info)
    data = NewProduct(
        name=input.name, description=input.description, category_slug=input.category_slug,
        currency=input.currency, status=input.status.value, image_urls=tuple(input.image_urls),
        variants=tuple(NewVariant(sku=v.sku, name=v.name, price_minor=v.price_minor_units,
                                  stock=v.stock) for v in input.variants))
    runtime = ctx(info).runtime

    async def run() -> dict[str, Any]:
        product = await runtime.transaction(lambda uow: use_cases.create_product(
            uow, actor=actor, data=data,
            low_stock_threshold=runtime.settings.low_stock_threshold))
        return {"product": Product.from_domain(product)}

    return await mutate(info, ProductPayload, run)


async def product_update(info: Info, id: str, input: ProductUpdateInput) -> ProductPayload:
    actor = await _actor(info)
    status = _given(input.status)
    urls = _given(input.image_urls)
    changes = ProductChanges(
        name=_given(input.name), description=_given(input.description),
        status=status.value if status is not None else None,
        image_urls=tuple(urls) if urls is not None else None,
        category_slug=_given(input.category_slug),
        set_category=input.category_slug is not UNSET)

    async def run() -> dict[str, Any]:
        pk = _pk(id, "Product", "id")
        product = await ctx(info).runtime.transaction(lambda uow: use_cases.update_product(
            uow, actor=actor, product_id=pk, changes=changes))
        return {"product": Product.from_domain(product)}

    return await mutate(info, ProductPayload, run)


async def product_delete(info: Info, id: str) -> ProductPayload:
    """The archived product, or the erased product's last state (variants and images
    included)."""
    actor = await _actor(info)

    async def run() -> dict[str, Any]:
        pk = _pk(id, "Product", "id")
        removed = await ctx(info).runtime.transaction(lambda uow: use_cases.delete_product(
            uow, actor=actor, product_id=pk))
        return {"product": Product.from_domain(removed.product, removed)}

    return await mutate(info, ProductPayload, run)


async def variant_update(info: Info, id: str, input: VariantUpdateInput) -> VariantPayload:
    actor = await _actor(info)
    changes = VariantChanges(name=_given(input.name),
                             price_minor=_given(input.price_minor_units))

    async def run() -> dict[str, Any]:
        pk = _pk(id, "ProductVariant", "id")
        variant = await ctx(info).runtime.transaction(lambda uow: use_cases.update_variant(
            uow, actor=actor, variant_id=pk, changes=changes))
        return {"variant": ProductVariant.from_domain(variant)}

    return await mutate(info, VariantPayload, run)


async def _stock_move(info: Info, variant_id: str, move: Any) -> InventoryPayload:
    """inventorySet / inventoryAdjust: `move(uow, actor, variant_pk)` is the use case."""
    actor = await _actor(info)

    async def run() -> dict[str, Any]:
        pk = _pk(variant_id, "ProductVariant", "variantId")
        level = await ctx(info).runtime.transaction(lambda uow: move(uow, actor, pk))
        return {"inventory": InventoryLevel.from_domain(level)}

    return await mutate(info, InventoryPayload, run)


async def inventory_set(info: Info, variant_id: str, total: int) -> InventoryPayload:
    return await _stock_move(info, variant_id, lambda uow, actor, pk: stock_cases.set_stock(
        uow, actor=actor, variant_id=pk, total=total))


async def inventory_adjust(info: Info, variant_id: str, delta: int) -> InventoryPayload:
    return await _stock_move(info, variant_id, lambda uow, actor, pk: stock_cases.adjust_stock(
        uow, actor=actor, variant_id=pk, delta=delta))


async def my_products(info: Info, first: Optional[int], after: Optional[str],
                      status: Optional[ProductStatus]) -> ProductConnection:
    """sellerProducts: the seller's own products in every status (or one), newest first."""
    seller = await viewer(info, "SELLER")
    statuses = (status.value,) if status is not None else None
    query = ProductQuery(statuses=statuses, seller_id=seller.seller_id,
                         match_nothing=seller.seller_id is None)
    return await product_connection(info, query, first, after)


async def my_inventory(info: Info, variant_id: str) -> Optional[InventoryLevel]:
    seller = await viewer(info, "SELLER")
    pk = decode_pk(variant_id, "ProductVariant")
    loaders = ctx(info).loaders
    found = await loaders.variant_by_id.load(pk) if pk else None
    if found is None or found.stock is None:
        return None
    owner = await loaders.product_by_id.load(found.product_id)
    if owner is None or owner.seller_id != seller.seller_id:
        return None
    return InventoryLevel.from_domain(found.stock)


async def admin_products(info: Info, first: Optional[int], after: Optional[str],
                         seller_id: Optional[str]) -> ProductConnection:
    """adminProducts: every product in every status, newest first, optionally one seller's."""
    await viewer(info, "ADMIN")
    pk = decode_pk(seller_id, "Seller") if seller_id is not None else None
    query = ProductQuery(statuses=None, seller_id=pk,
                         match_nothing=seller_id is not None and pk is None)
    return await product_connection(info, query, first, after)
