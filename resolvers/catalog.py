"""Catalogue reads: products (filters, search, sorts, keyset pages), product, variant,
categories, the Product / ProductVariant / Category nodes, and `seller_products` for
`Seller.products`.

Visibility: ACTIVE products (and their variants) are public; DRAFT and ARCHIVED ones resolve
only for their seller and admins, None for everyone else. Lists of the public catalogue show
ACTIVE products only. A present but invalid token does not stop anyone browsing: on these
public fields it counts as anonymous.

Pages: `first` must be 0..max_page_size (InvalidPageSize otherwise); an `after` cursor this
list did not give out raises InvalidCursor. The count runs only when asked for. Products of a
page are primed into the `product_by_id` loader.
"""
from __future__ import annotations

from typing import Optional

from dataloaders.queries import ProductQuery
from domain.catalog import Actor, Category, Product, Variant, can_see
from domain.identity.viewer import Viewer
from domain.ids import decode_pk
from resolvers.caller import Caller
from resolvers.listing import Listing


def actor_of(viewer: Viewer | None) -> Actor | None:
    if viewer is None:
        return None
    return Actor(user_id=viewer.user_id, seller_id=viewer.seller_id, is_admin=viewer.is_admin)


async def visible(caller: Caller, product: Product | None) -> Product | None:
    """`product` when the caller may see it, else None."""
    if product is None or product.is_active:
        return product
    return product if can_see(product, actor_of(await caller.browsing_viewer())) else None


async def visible_variant(caller: Caller, found: Variant | None) -> Variant | None:
    """The variant when its product is visible to the caller, else None."""
    if found is None:
        return None
    owner = await caller.loaders.product_by_id.load(found.product_id)
    return found if await visible(caller, owner) else None


async def product_listing(caller: Caller, query: ProductQuery, first: Optional[int],
                          after: Optional[str]) -> Listing[Product]:
    """One keyset page of `query` (reusable by every product list)."""
    loaders = caller.loaders
    page = await loaders.product_page(query, caller.page_size(first), after)
    for found in page.items:
        loaders.product_by_id.prime(found.id, found)
    return Listing(page=page, count=lambda: loaders.product_count(query))


def public_query(*, search: Optional[str] = None, category_slug: Optional[str] = None,
                 seller_id: Optional[str] = None, min_price: Optional[int] = None,
                 max_price: Optional[int] = None, in_stock_only: bool = False,
                 sort: str = "NEWEST") -> ProductQuery:
    """The public list's query: ACTIVE products; an undecodable sellerId matches nothing."""
    seller_pk = decode_pk(seller_id, "Seller") if seller_id is not None else None
    return ProductQuery(
        search=search, category_slug=category_slug, seller_id=seller_pk,
        min_price=min_price, max_price=max_price, in_stock_only=in_stock_only, sort=sort,
        match_nothing=seller_id is not None and seller_pk is None)


async def products(caller: Caller, query: ProductQuery, first: Optional[int],
                   after: Optional[str]) -> Listing[Product]:
    return await product_listing(caller, query, first, after)


async def seller_products(caller: Caller, seller_id: int, first: Optional[int] = 20,
                          after: Optional[str] = None) -> Listing[Product]:
    """`Seller.products`: that seller's ACTIVE products, newest first. The first page goes
    through loaders (one windowed statement for every seller of the response); later pages
    (`after`) are a keyset page of their own."""
    if after is not None:
        return await product_listing(caller, ProductQuery(seller_id=seller_id), first, after)
    loaders = caller.loaders
    page = await loaders.seller_first_page.load((seller_id, caller.page_size(first)))
    for found in page.items:
        loaders.product_by_id.prime(found.id, found)
    return Listing(page=page,
                   count=lambda: loaders.active_product_count_by_seller.load(seller_id))


async def product(caller: Caller, id: Optional[str], slug: Optional[str]) -> Optional[Product]:
    """By id when given, else by slug; None when neither, unknown or not visible."""
    loaders = caller.loaders
    if id is not None:
        pk = decode_pk(id, "Product")
        found = await loaders.product_by_id.load(pk) if pk else None
    elif slug is not None:
        found = await loaders.product_by_slug.load(slug)
    else:
        return None
    return await visible(caller, found)


async def variant(caller: Caller, id: Optional[str], sku: Optional[str]) -> Optional[Variant]:
    """By id when given, else by SKU; None when neither, unknown or its product not visible."""
    loaders = caller.loaders
    if id is not None:
        pk = decode_pk(id, "ProductVariant")
        found = await loaders.variant_by_id.load(pk) if pk else None
    elif sku is not None:
        found = await loaders.variant_by_sku.load(sku)
    else:
        return None
    return await visible_variant(caller, found)


async def variant_by_pk(caller: Caller, pk: int) -> Optional[Variant]:
    """A variant by primary key whatever its product's status (cart and order lines keep
    showing what they point at); None when it does not exist."""
    return await caller.loaders.variant_by_id.load(pk)


async def categories(caller: Caller) -> list[Category]:
    return await caller.loaders.categories()


async def product_node(caller: Caller, pk: int) -> Optional[Product]:
    return await visible(caller, await caller.loaders.product_by_id.load(pk))


async def variant_node(caller: Caller, pk: int) -> Optional[Variant]:
    return await visible_variant(caller, await caller.loaders.variant_by_id.load(pk))


async def category_node(caller: Caller, pk: int) -> Optional[Category]:
    return await caller.loaders.category_by_id.load(pk)
