"""The seller's catalogue and stock, GraphQL side: the inputs of productCreate /
productUpdate / variantUpdate, their payloads, InventoryLevel, and the root fields
sellerProducts, sellerInventory, adminProducts and the catalogue and stock mutations (use
cases in resolvers/seller_catalog.py)."""
from __future__ import annotations

from typing import Any, Optional

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from domain.catalog.rules import NewProduct, NewVariant, ProductChanges, VariantChanges
from domain.catalog.inventory import StockLevel
from resolvers import seller_catalog as resolve
from schema.calls import caller, mutate, query_errors
from schema.catalog import (
    Product,
    ProductConnection,
    ProductStatus,
    ProductVariant,
    product_connection,
)
from schema.common import UserError


@strawberry.input
class ProductVariantInput:
    sku: str
    name: str
    price_minor_units: int
    stock: int = strawberry.field(default=0, description="Initial stock on hand.")


@strawberry.input
class ProductCreateInput:
    name: str
    description: str = ""
    category_slug: Optional[str] = None
    currency: str = "USD"
    status: ProductStatus = ProductStatus.DRAFT
    image_urls: list[str] = strawberry.field(default_factory=list)
    variants: list[ProductVariantInput]


@strawberry.input(description="Fields left out stay as they are; an explicit null "
                  "categorySlug removes the category; imageUrls replaces every image.")
class ProductUpdateInput:
    name: Optional[str] = strawberry.UNSET
    description: Optional[str] = strawberry.UNSET
    category_slug: Optional[str] = strawberry.UNSET
    status: Optional[ProductStatus] = strawberry.UNSET
    image_urls: Optional[list[str]] = strawberry.UNSET


@strawberry.input
class VariantUpdateInput:
    name: Optional[str] = strawberry.UNSET
    price_minor_units: Optional[int] = strawberry.UNSET


@strawberry.type
class ProductPayload:
    user_errors: list[UserError]
    product: Optional[Product] = None


@strawberry.type
class VariantPayload:
    user_errors: list[UserError]
    variant: Optional[ProductVariant] = None


@strawberry.type
class InventoryLevel:
    total: int = strawberry.field(description="Units on hand, not yet sold.")
    available: int
    reserved: int = strawberry.field(description="Held by carts (soft reservations).")
    allocated: int = strawberry.field(
        description="Held by placed, unpaid or unshipped orders (hard allocations).")
    low_stock_threshold: int
    _variant_id: strawberry.Private[int]

    @classmethod
    def from_domain(cls, level: StockLevel) -> "InventoryLevel":
        return cls(total=level.total, available=level.available, reserved=level.reserved,
                   allocated=level.allocated, low_stock_threshold=level.low_stock_threshold,
                   _variant_id=level.variant_id)

    @strawberry.field
    async def variant(self, info: Info) -> ProductVariant:
        variant = await info.context.loaders.variant_by_id.load(self._variant_id)
        return ProductVariant.from_domain(variant)


@strawberry.type
class InventoryPayload:
    user_errors: list[UserError]
    inventory: Optional[InventoryLevel] = None


def _given(value: Any) -> Any:
    return None if value is UNSET else value


def _inventory(level: StockLevel | None) -> Optional[InventoryLevel]:
    return InventoryLevel.from_domain(level) if level is not None else None


@strawberry.type
class Query:
    @strawberry.field(description="Seller only: their own products in every status.")
    async def seller_products(self, info: Info, first: Optional[int] = 20,
                              after: Optional[str] = None,
                              status: Optional[ProductStatus] = None) -> ProductConnection:
        with query_errors():
            return product_connection(await resolve.my_products(
                caller(info), first, after, status.value if status is not None else None))

    @strawberry.field(description="Seller only: stock levels of their variants.")
    async def seller_inventory(self, info: Info,
                               variant_id: strawberry.ID) -> Optional[InventoryLevel]:
        return _inventory(await resolve.my_inventory(caller(info), str(variant_id)))

    @strawberry.field(description="Admin only.")
    async def admin_products(self, info: Info, first: Optional[int] = 20,
                             after: Optional[str] = None,
                             seller_id: Optional[strawberry.ID] = None) -> ProductConnection:
        with query_errors():
            return product_connection(await resolve.admin_products(
                caller(info), first, after, str(seller_id) if seller_id is not None else None))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Seller: catalogue of their own products.")
    async def product_create(self, info: Info, input: ProductCreateInput) -> ProductPayload:
        data = NewProduct(
            name=input.name, description=input.description,
            category_slug=input.category_slug, currency=input.currency,
            status=input.status.value, image_urls=tuple(input.image_urls),
            variants=tuple(NewVariant(sku=v.sku, name=v.name, price_minor=v.price_minor_units,
                                      stock=v.stock) for v in input.variants))

        async def run() -> dict[str, Any]:
            product = await resolve.product_create(caller(info), data)
            return {"product": Product.from_domain(product)}

        return await mutate(info, ProductPayload, run)

    @strawberry.mutation
    async def product_update(self, info: Info, id: strawberry.ID,
                             input: ProductUpdateInput) -> ProductPayload:
        status = _given(input.status)
        urls = _given(input.image_urls)
        changes = ProductChanges(
            name=_given(input.name), description=_given(input.description),
            status=status.value if status is not None else None,
            image_urls=tuple(urls) if urls is not None else None,
            category_slug=_given(input.category_slug),
            set_category=input.category_slug is not UNSET)

        async def run() -> dict[str, Any]:
            product = await resolve.product_update(caller(info), str(id), changes)
            return {"product": Product.from_domain(product)}

        return await mutate(info, ProductPayload, run)

    @strawberry.mutation
    async def product_delete(self, info: Info, id: strawberry.ID) -> ProductPayload:
        async def run() -> dict[str, Any]:
            removed = await resolve.product_delete(caller(info), str(id))
            return {"product": Product.from_domain(removed.product, removed)}

        return await mutate(info, ProductPayload, run)

    @strawberry.mutation
    async def variant_update(self, info: Info, id: strawberry.ID,
                             input: VariantUpdateInput) -> VariantPayload:
        changes = VariantChanges(name=_given(input.name),
                                 price_minor=_given(input.price_minor_units))

        async def run() -> dict[str, Any]:
            variant = await resolve.variant_update(caller(info), str(id), changes)
            return {"variant": ProductVariant.from_domain(variant)}

        return await mutate(info, VariantPayload, run)

    @strawberry.mutation(description="Seller (own variants) or admin: sets units on hand; "
                         "cannot go below what carts and orders hold.")
    async def inventory_set(self, info: Info, variant_id: strawberry.ID,
                            total: int) -> InventoryPayload:
        async def run() -> dict[str, Any]:
            level = await resolve.inventory_set(caller(info), str(variant_id), total)
            return {"inventory": InventoryLevel.from_domain(level)}

        return await mutate(info, InventoryPayload, run)

    @strawberry.mutation
    async def inventory_adjust(self, info: Info, variant_id: strawberry.ID,
                               delta: int) -> InventoryPayload:
        async def run() -> dict[str, Any]:
            level = await resolve.inventory_adjust(caller(info), str(variant_id), delta)
            return {"inventory": InventoryLevel.from_domain(level)}

        return await mutate(info, InventoryPayload, run)
