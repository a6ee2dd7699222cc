"""The catalog feature's GraphQL side: Category, ProductImage, Product, PriceRange,
ProductVariant, the product connection, ProductFilter, ProductSort, ProductStatus, and the root
fields categories, products, product, variant (use cases in resolvers/catalog.py).

Thin translations of domain.catalog objects; every relation is read through a per-request
loader (dataloaders/loaders.py), so a page of N products costs the same few statements as a
page of 1. A Product or ProductVariant built from the last state of an erased product
(productDelete) carries its variants and images with it.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Awaitable, Callable, Iterable, Optional, Sequence

import strawberry
from strawberry.types import Info

from domain import catalog as domain
from domain.ids import encode_id
from resolvers import catalog as resolve
from resolvers.listing import Listing
from schema.calls import caller, query_errors, page_info
from schema.common import Money, Node, PageInfo
from schema.compiled.drive import later
from schema.node import node_resolver

if TYPE_CHECKING:
    from schema.identity import Seller


@strawberry.enum
class ProductStatus(Enum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


@strawberry.enum
class ProductSort(Enum):
    NEWEST = "NEWEST"
    PRICE_ASC = "PRICE_ASC"
    PRICE_DESC = "PRICE_DESC"
    NAME = "NAME"
    RELEVANCE = "RELEVANCE"


@strawberry.type
class Category(Node):
    id: strawberry.ID
    slug: str
    name: str

    @classmethod
    def from_domain(cls, category: domain.Category) -> "Category":
        return cls(id=strawberry.ID(encode_id("Category", category.id)), slug=category.slug,
                   name=category.name)


@strawberry.type
class ProductImage:
    url: str
    alt_text: Optional[str]

    @classmethod
    def from_domain(cls, image: domain.ProductImage) -> "ProductImage":
        return cls(url=image.url, alt_text=image.alt_text)


@strawberry.type
class PriceRange:
    min: Money
    max: Money


@strawberry.type
class ProductVariant(Node):
    id: strawberry.ID
    sku: str
    name: str
    _variant: strawberry.Private[domain.Variant]
    _product: strawberry.Private[Optional[domain.Product]] = None  # erased product's state

    @classmethod
    def from_domain(cls, variant: domain.Variant,
                    product: domain.Product | None = None) -> "ProductVariant":
        return cls(id=strawberry.ID(encode_id("ProductVariant", variant.id)), sku=variant.sku,
                   name=variant.name, _variant=variant, _product=product)

    @strawberry.field
    def price(self) -> Money:
        variant = self._variant
        return Money.of(variant.price_minor, variant.currency)

    @strawberry.field
    async def product(self, info: Info) -> "Product":
        product = self._product or await info.context.loaders.product_by_id.load(
            self._variant.product_id)
        return Product.from_domain(product)

    @strawberry.field(description="Units a buyer can still add to a cart now "
                      "(total - reserved - allocated).")
    def quantity_available(self) -> int:
        return self._variant.quantity_available

    @strawberry.field
    def in_stock(self) -> bool:
        return self._variant.in_stock


@strawberry.type
class Product(Node):
    id: strawberry.ID
    slug: str
    name: str
    description: str
    status: ProductStatus
    created_at: datetime
    _product: strawberry.Private[domain.Product]
    _removed: strawberry.Private[Optional[domain.RemovedProduct]] = None

    @classmethod
    def from_domain(cls, product: domain.Product,
                    removed: domain.RemovedProduct | None = None) -> "Product":
        return cls(id=strawberry.ID(encode_id("Product", product.id)), slug=product.slug,
                   name=product.name, description=product.description,
                   status=ProductStatus(product.status), created_at=product.created_at,
                   _product=product, _removed=removed)

    @property
    def _erased(self) -> bool:
        """Built from an erased product's last state, which carries its relations."""
        return self._removed is not None and not self._removed.archived

    def _variants(self, info: Info) -> Any:
        """The variants, or the loader's future of them (for `later`: no task)."""
        if self._erased:
            return list(self._removed.variants)  # type: ignore[union-attr]
        return info.context.loaders.variants_by_product_id.load(self._product.id)

    @strawberry.field
    async def category(self, info: Info) -> Optional[Category]:
        if self._product.category_id is None:
            return None
        category = await info.context.loaders.category_by_id.load(self._product.category_id)
        return Category.from_domain(category) if category else None

    @strawberry.field
    async def seller(self, info: Info) -> Annotated["Seller", strawberry.lazy(
            "schema.identity")]:
        from schema.identity import Seller

        seller = await info.context.loaders.seller_by_id.load(self._product.seller_id)
        return Seller.from_domain(seller)

    @strawberry.field
    def images(self, info: Info) -> list[ProductImage]:
        if self._erased:
            return _image_types(self._removed.images)  # type: ignore[union-attr]
        # the loader's future: the compiled executor waits on it without a task
        return later(info.context.loaders.images_by_product_id.load(self._product.id),
                     _image_types)

    @strawberry.field
    def variants(self, info: Info) -> list[ProductVariant]:
        if self._erased:  # each variant keeps the erased product's state
            product = self._product
            return [ProductVariant.from_domain(v, product) for v in self._variants(info)]
        return later(self._variants(info), _variant_types)

    @strawberry.field(description="Lowest and highest variant price.")
    def price_range(self) -> PriceRange:
        return PriceRange(min=Money.from_domain(self._product.min_price),
                          max=Money.from_domain(self._product.max_price))

    @strawberry.field(description="True when some variant has stock available to add to a "
                      "cart.")
    def available_for_sale(self, info: Info) -> bool:
        return later(self._variants(info), _any_in_stock)  # type: ignore[no-any-return]


def _image_types(images: Iterable[domain.ProductImage]) -> list[ProductImage]:
    return [ProductImage.from_domain(image) for image in images]


def _variant_types(variants: Iterable[domain.Variant]) -> list[ProductVariant]:
    return [ProductVariant.from_domain(v) for v in variants]


def _any_in_stock(variants: Iterable[domain.Variant]) -> bool:
    return any(v.in_stock for v in variants)


def _edge_cursor(root: "ProductEdge") -> str:
    return root._cursors[root._at]  # encoded only when selected (pagination.Cursors)


@strawberry.type
class ProductEdge:
    cursor: str = strawberry.field(resolver=_edge_cursor)
    node: Product
    _cursors: strawberry.Private[Sequence[str]]
    _at: strawberry.Private[int]


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Products matching the filters, over all pages.")
    async def total_count(self) -> int:
        return await self._count()


_PRICE_RULE = ("Minor units. A product matches when one of its variants costs between minPrice "
               "and maxPrice (inclusive; a missing bound is open).")


@strawberry.input
class ProductFilter:
    search: Optional[str] = strawberry.field(
        default=None, description="Full-text match on name and description.")
    category_slug: Optional[str] = None
    seller_id: Optional[strawberry.ID] = None
    min_price: Optional[int] = strawberry.field(default=None, description=_PRICE_RULE)
    max_price: Optional[int] = strawberry.field(default=None, description=_PRICE_RULE)
    in_stock_only: Optional[bool] = False


NODE_TYPES = [Product, ProductVariant, Category]


def product_connection(listing: Listing[domain.Product]) -> ProductConnection:
    page = listing.page
    return ProductConnection(
        edges=[ProductEdge(node=Product.from_domain(found), _cursors=page.cursors, _at=at)
               for at, found in enumerate(page.items)],
        page_info=page_info(page), _count=listing.count)


async def seller_products(info: Info, seller_id: int, first: Optional[int],
                          after: Optional[str]) -> ProductConnection:
    """`Seller.products` (schema/identity.py)."""
    with query_errors():
        return product_connection(
            await resolve.seller_products(caller(info), seller_id, first, after))


async def variant_by_pk(info: Info, pk: int) -> Optional[ProductVariant]:
    """A cart or order line's variant, whatever its product's status."""
    return variant_or_none(await resolve.variant_by_pk(caller(info), pk))


def product_or_none(found: domain.Product | None) -> Optional[Product]:
    return Product.from_domain(found) if found else None


def variant_or_none(found: domain.Variant | None) -> Optional[ProductVariant]:
    return ProductVariant.from_domain(found) if found else None


@strawberry.type
class Query:
    @strawberry.field
    async def categories(self, info: Info) -> list[Category]:
        return [Category.from_domain(c) for c in await resolve.categories(caller(info))]

    @strawberry.field(description="ACTIVE products of every seller; sellers and admins also "
                      "see their own non-active ones through sellerProducts / adminProducts.")
    async def products(self, info: Info, first: Optional[int] = 20,
                       after: Optional[str] = None, filter: Optional[ProductFilter] = None,
                       sort: Optional[ProductSort] = ProductSort.NEWEST) -> ProductConnection:
        given = filter or ProductFilter()
        query = resolve.public_query(
            search=given.search, category_slug=given.category_slug,
            seller_id=str(given.seller_id) if given.seller_id is not None else None,
            min_price=given.min_price, max_price=given.max_price,
            in_stock_only=bool(given.in_stock_only), sort=(sort or ProductSort.NEWEST).value)
        with query_errors():
            return product_connection(
                await resolve.products(caller(info), query, first, after))

    @strawberry.field
    async def product(self, info: Info, id: Optional[strawberry.ID] = None,
                      slug: Optional[str] = None) -> Optional[Product]:
        return product_or_none(await resolve.product(
            caller(info), str(id) if id is not None else None, slug))

    @strawberry.field
    async def variant(self, info: Info, id: Optional[strawberry.ID] = None,
                      sku: Optional[str] = None) -> Optional[ProductVariant]:
        return variant_or_none(await resolve.variant(
            caller(info), str(id) if id is not None else None, sku))


@node_resolver("Product")
async def product_node(info: Info, pk: int) -> Optional[Product]:
    return product_or_none(await resolve.product_node(caller(info), pk))


@node_resolver("ProductVariant")
async def variant_node(info: Info, pk: int) -> Optional[ProductVariant]:
    return variant_or_none(await resolve.variant_node(caller(info), pk))


@node_resolver("Category")
async def category_node(info: Info, pk: int) -> Optional[Category]:
    found = await resolve.category_node(caller(info), pk)
    return Category.from_domain(found) if found else None
