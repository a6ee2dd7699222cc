"""Root fields of the seller's catalogue and stock (and the admin's product list)."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import seller_catalog as resolve
from schema.types.catalog import ProductConnection, ProductStatus
from schema.types.seller_catalog import (
    InventoryLevel,
    InventoryPayload,
    ProductCreateInput,
    ProductPayload,
    ProductUpdateInput,
    VariantPayload,
    VariantUpdateInput,
)


@strawberry.type
class Query:
    @strawberry.field(description="Seller only: their own products in every status.")
    async def seller_products(self, info: Info, first: Optional[int] = 20,
                              after: Optional[str] = None,
                              status: Optional[ProductStatus] = None) -> ProductConnection:
        return await resolve.my_products(info, first, after, status)

    @strawberry.field(description="Seller only: stock levels of their variants.")
    async def seller_inventory(self, info: Info,
                               variant_id: strawberry.ID) -> Optional[InventoryLevel]:
        return await resolve.my_inventory(info, str(variant_id))

    @strawberry.field(description="Admin only.")
    async def admin_products(self, info: Info, first: Optional[int] = 20,
                             after: Optional[str] = None,
                             seller_id: Optional[strawberry.ID] = None) -> ProductConnection:
        return await resolve.admin_products(info, first, after,
                                            str(seller_id) if seller_id is not None else None)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Seller: catalogue of their own products.")
    async def product_create(self, info: Info, input: ProductCreateInput) -> ProductPayload:
        return await resolve.product_create(info, input)

    @strawberry.mutation
    async def product_update(self, info: Info, id: strawberry.ID,
                             input: ProductUpdateInput) -> ProductPayload:
        return await resolve.product_update(info, str(id), input)

    @strawberry.mutation
    async def product_delete(self, info: Info, id: strawberry.ID) -> ProductPayload:
        return await resolve.product_delete(info, str(id))

    @strawberry.mutation
    async def variant_update(self, info: Info, id: strawberry.ID,
                             input: VariantUpdateInput) -> VariantPayload:
        return await resolve.variant_update(info, str(id), input)

    @strawberry.mutation(description="Seller (own variants) or admin: sets units on hand; "
                         "cannot go below what carts and orders hold.")
    async def inventory_set(self, info: Info, variant_id: strawberry.ID,
                            total: int) -> InventoryPayload:
        return await resolve.inventory_set(info, str(variant_id), total)

    @strawberry.mutation
    async def inventory_adjust(self, info: Info, variant_id: strawberry.ID,
                               delta: int) -> InventoryPayload:
        return await resolve.inventory_adjust(info, str(variant_id), delta)
