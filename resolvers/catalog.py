"""Catalogue reads: products (filters, search, sorts, keyset pages), product, variant,
categories, node(id:) for Product / ProductVariant / Category, and `seller_products` for
identity's `Seller.products`.

Visibility: ACTIVE products (and their variants) are public; DRAFT and ARCHIVED ones resolve
only for their seller and admins, null for everyone else. Lists of the public catalogue show
ACTIVE products only. A present but invalid token does not stop anyone browsing: on these
public fields it counts as anonymous.

Pages: `first` must be 0..max_page_size (top-level error QUERY_REJECTED otherwise); an `after`
cursor this list did not give out is a top-level error with extensions.code INVALID_CURSOR.
`totalCount` costs its statement only when selected. Products of a page are primed into the
`product_by_id` loader.
"""
from __future__ import annotations

from typing import Optional

from strawberry.types import Info

from domain.identity.viewer import Viewer
from domain.catalog import Actor, can_see
from domain.catalog import Product as DomainProduct
from domain.catalog import Variant as DomainVariant
from domain.errors import AuthenticationRequired
from domain.ids import decode_pk
from persistence.reads.catalog import all_categories
from persistence.reads.catalog_listing import ProductQuery, product_count, product_page
from resolvers.pagination import counter, keyset_page, page_info, page_size
from resolvers.common import ctx
from resolvers.node import node_resolver
from schema.types.catalog import (
    Category,
    Product,
    ProductConnection,
    ProductEdge,
    ProductFilter,
    ProductSort,
    ProductVariant,
)


def actor_of(viewer: Viewer | None) -> Actor | None:
    if viewer is None:
        return None
    return Actor(user_id=viewer.user_id, seller_id=viewer.seller_id, is_admin=viewer.is_admin)


async def _browsing_actor(info: Info) -> Actor | None:
    try:
        return actor_of(await ctx(info).viewer())
    except AuthenticationRequired:
        return None


async def _visible(info: Info, product: DomainProduct | None) -> DomainProduct | None:
    if product is None or product.is_active:
        return product
    return product if can_see(product, await _browsing_actor(info)) else None


async def _visible_variant(info: Info, found: DomainVariant | None
                           ) -> Optional[ProductVariant]:
    """The variant when its product is visible to the caller, else None."""
    if found is None:
        return None
    owner = await ctx(info).loaders.product_by_id.load(found.product_id)
    return ProductVariant.from_domain(found) if await _visible(info, owner) else None


async def product_connection(info: Info, query: ProductQuery, first: Optional[int],
                             after: Optional[str]) -> ProductConnection:
    """One keyset page of `query`, as a ProductConnection (reusable by every product list)."""
    page = await keyset_page(
        info, lambda conn, size, cursor: product_page(conn, query, first=size, after=cursor),
        first, after)
    loader = ctx(info).loaders.product_by_id
    for product in page.items:
        loader.prime(product.id, product)
    return ProductConnection(
        edges=[ProductEdge(cursor=cursor, node=Product.from_domain(product))
               for product, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page),
        _count=counter(info, lambda conn: product_count(conn, query)))


def query_of(filter: ProductFilter | None, sort: ProductSort | None) -> ProductQuery:
    """The public list's query: ACTIVE products; an undecodable sellerId matches nothing."""
    sort_name = (sort or ProductSort.NEWEST).value
    if filter is None:
        return ProductQuery(sort=sort_name)
    seller_id = None
    if filter.seller_id is not None:
        seller_id = decode_pk(str(filter.seller_id), "Seller")
    return ProductQuery(
        search=filter.search, category_slug=filter.category_slug, seller_id=seller_id,
        min_price=filter.min_price, max_price=filter.max_price,
        in_stock_only=bool(filter.in_stock_only), sort=sort_name,
        match_nothing=filter.seller_id is not None and seller_id is None)


async def products(info: Info, first: Optional[int], after: Optional[str],
                   filter: Optional[ProductFilter], sort: Optional[ProductSort]
                   ) -> ProductConnection:
    return await product_connection(info, query_of(filter, sort), first, after)


async def seller_products(info: Info, seller_id: int, first: Optional[int] = 20,
                          after: Optional[str] = None) -> ProductConnection:
    """`Seller.products`: that seller's ACTIVE products, newest first. The first page goes
    through loaders (one windowed statement for every seller of the response); later pages
    (`after`) are a keyset page of their own."""
    if after is not None:
        return await product_connection(info, ProductQuery(seller_id=seller_id), first, after)
    loaders = ctx(info).loaders
    page = await loaders.seller_first_page.load((seller_id, page_size(info, first)))
    for found in page.items:
        loaders.product_by_id.prime(found.id, found)

    async def count() -> int:
        return await loaders.active_product_count_by_seller.load(seller_id)  # type: ignore[no-any-return]

    return ProductConnection(
        edges=[ProductEdge(cursor=cursor, node=Product.from_domain(found))
               for found, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page), _count=count)


async def product(info: Info, id: Optional[str], slug: Optional[str]) -> Optional[Product]:
    """By id when given, else by slug; null when neither, unknown or not visible."""
    loaders = ctx(info).loaders
    if id is not None:
        pk = decode_pk(id, "Product")
        found = await loaders.product_by_id.load(pk) if pk else None
    elif slug is not None:
        found = await loaders.product_by_slug.load(slug)
    else:
        return None
    visible = await _visible(info, found)
    return Product.from_domain(visible) if visible else None


async def variant(info: Info, id: Optional[str], sku: Optional[str]
                  ) -> Optional[ProductVariant]:
    """By id when given, else by SKU; null when neither, unknown or its product not visible."""
    loaders = ctx(info).loaders
    if id is not None:
        pk = decode_pk(id, "ProductVariant")
        found = await loaders.variant_by_id.load(pk) if pk else None
    elif sku is not None:
        found = await loaders.variant_by_sku.load(sku)
    else:
        return None
    return await _visible_variant(info, found)


async def variant_by_pk(info: Info, pk: int) -> Optional[ProductVariant]:
    """A variant by primary key whatever its product's status (cart and order lines keep
    showing what they point at); None when it does not exist."""
    found = await ctx(info).loaders.variant_by_id.load(pk)
    return ProductVariant.from_domain(found) if found else None


async def categories(info: Info) -> list[Category]:
    return [Category.from_domain(c) for c in await ctx(info).reads.run(all_categories)]


@node_resolver("Product")
async def product_node(info: Info, pk: int) -> Optional[Product]:
    found = await _visible(info, await ctx(info).loaders.product_by_id.load(pk))
    return Product.from_domain(found) if found else None


@node_resolver("ProductVariant")
async def variant_node(info: Info, pk: int) -> Optional[ProductVariant]:
    return await _visible_variant(info, await ctx(info).loaders.variant_by_id.load(pk))


@node_resolver("Category")
async def category_node(info: Info, pk: int) -> Optional[Category]:
    found = await ctx(info).loaders.category_by_id.load(pk)
    return Category.from_domain(found) if found else None
