"""What the catalogue is made of: immutable values read from and written to the database.

Visibility (docs/rules.md, Catalogue): ACTIVE products are public; DRAFT and ARCHIVED ones are
visible only to their seller and to admins. A variant is visible when its product is.
Management: a seller manages only their own products, variants and stock; an admin may edit
any product and variant and manage any stock, but cannot create products (a product needs a
seller to belong to).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.catalog.inventory import StockLevel
from domain.money import Money



class ProductStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


@dataclass(frozen=True)
class Actor:
    """Who is asking: enough of the viewer for the catalogue's rules."""

    user_id: int
    seller_id: int | None = None
    is_admin: bool = False

    @property
    def is_manager(self) -> bool:
        """Sellers and admins manage catalogue and stock; buyers do not."""
        return self.is_admin or self.seller_id is not None

    def can_manage(self, product: "Product") -> bool:
        return self.is_admin or (self.seller_id is not None
                                 and self.seller_id == product.seller_id)


def can_see(product: "Product", actor: Actor | None) -> bool:
    """ACTIVE for everyone; anything else only for its seller and admins."""
    return (product.status == ProductStatus.ACTIVE
            or (actor is not None and actor.can_manage(product)))


@dataclass(frozen=True)
class Category:
    id: int
    slug: str
    name: str
    position: int = 0


@dataclass(frozen=True)
class ProductImage:
    url: str
    alt_text: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Product:
    id: int
    seller_id: int
    category_id: int | None
    slug: str
    name: str
    description: str
    status: ProductStatus
    currency: str
    # Lowest / highest variant price, kept by every change of a variant's price.
    min_price_minor: int
    max_price_minor: int
    created_at: datetime
    updated_at: datetime
    # Set by orders (and treated as set while any cart line points at a variant): a product
    # with history is archived by productDelete, never erased.
    has_history: bool = False

    @property
    def is_active(self) -> bool:
        return self.status == ProductStatus.ACTIVE

    @property
    def min_price(self) -> Money:
        return Money(self.min_price_minor, self.currency)

    @property
    def max_price(self) -> Money:
        return Money(self.max_price_minor, self.currency)


@dataclass(frozen=True)
class Variant:
    id: int
    product_id: int
    sku: str
    name: str
    price_minor: int
    currency: str  # the product's currency
    position: int = 0
    stock: StockLevel | None = None  # read with the variant (one joined query)

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)

    @property
    def quantity_available(self) -> int:
        """Units a buyer can add to a cart now: total - reserved - allocated."""
        return self.stock.available if self.stock else 0

    @property
    def in_stock(self) -> bool:
        return self.quantity_available > 0


@dataclass(frozen=True)
class RemovedProduct:
    """Outcome of productDelete: archived (it has history) or erased, with its last state."""

    product: Product
    archived: bool
    variants: tuple[Variant, ...] = ()
    images: tuple[ProductImage, ...] = ()
