"""Seller catalogue and stock types: the inputs of productCreate / productUpdate /
variantUpdate, their payloads, and InventoryLevel."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from domain.catalog.inventory import StockLevel
from schema.types.catalog import Product, ProductStatus, ProductVariant
from schema.types.common import UserError


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
