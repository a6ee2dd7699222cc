"""Root fields of the catalog feature: categories, products, product, variant."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import catalog as resolve
from schema.types.catalog import (
    Category,
    Product,
    ProductConnection,
    ProductFilter,
    ProductSort,
    ProductVariant,
)


@strawberry.type
class Query:
    @strawberry.field
    async def categories(self, info: Info) -> list[Category]:
        return await resolve.categories(info)

    @strawberry.field(description="ACTIVE products of every seller; sellers and admins also "
                      "see their own non-active ones through sellerProducts / adminProducts.")
    async def products(self, info: Info, first: Optional[int] = 20,
                       after: Optional[str] = None, filter: Optional[ProductFilter] = None,
                       sort: Optional[ProductSort] = ProductSort.NEWEST) -> ProductConnection:
        return await resolve.products(info, first, after, filter, sort)

    @strawberry.field
    async def product(self, info: Info, id: Optional[strawberry.ID] = None,
                      slug: Optional[str] = None) -> Optional[Product]:
        return await resolve.product(info, str(id) if id is not None else None, slug)

    @strawberry.field
    async def variant(self, info: Info, id: Optional[strawberry.ID] = None,
                      sku: Optional[str] = None) -> Optional[ProductVariant]:
        return await resolve.variant(info, str(id) if id is not None else None, sku)
