"""The cart: one live cart (ACTIVE or CHECKOUT) per buyer, lines unique per variant, each line
holding its units of stock (a soft reservation) until the cart's holds lapse.

Rules (docs/rules.md, Cart and Inventory):
- Quantity per line is 1..100 (INVALID_INPUT otherwise); adding a variant already in the cart
  adds to that line's quantity, still capped at 100.
- Only ACTIVE products can be added (PRODUCT_UNAVAILABLE). Prices shown are the variant's
  current price; the price at the time of adding is kept on the line so checkout can report
  PRICE_CHANGED.
- Every cart mutation (and checkoutStart / checkoutUpdate) extends the holds of all the cart's
  lines to `hold` from now. A cart whose holds lapsed is EXPIRED: its holds are released and
  the buyer's next cart starts empty. A cart with no lines holds nothing and never lapses.
- A cart holds one currency: the first line's product currency.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain.catalog.models import ProductStatus
from domain.errors import DomainError, invalid

MIN_QUANTITY = 1
MAX_QUANTITY = 100


class CartStatus(StrEnum):
    """A cart's status (stored as its value). ACTIVE and CHECKOUT carts are live."""

    ACTIVE = "ACTIVE"
    CHECKOUT = "CHECKOUT"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"
    ABANDONED = "ABANDONED"


LIVE_STATUSES = (CartStatus.ACTIVE, CartStatus.CHECKOUT)


@dataclass(frozen=True)
class CartLine:
    id: int
    cart_id: int
    variant_id: int
    quantity: int
    unit_price_minor: int  # current variant price when read for display, else price at add
    added_price_minor: int
    reserved_until: datetime
    currency: str = "USD"

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


@dataclass(frozen=True)
class Cart:
    id: int
    buyer_id: int
    status: str
    currency: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    lines: tuple[CartLine, ...] = field(default=())

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def lapsed(self, now: datetime) -> bool:
        return self.is_live and self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class VariantForCart:
    """What adding a variant needs to know, read in one statement."""

    variant_id: int
    price_minor: int
    currency: str
    product_status: str
    seller_id: int
    total: int
    available: int


def check_quantity(quantity: int, *field_path: str) -> None:
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise invalid(f"Quantity must be between {MIN_QUANTITY} and {MAX_QUANTITY}.",
                      *field_path)


def check_addable(variant: VariantForCart | None, *field_path: str) -> VariantForCart:
    if variant is None:
        raise DomainError("NOT_FOUND", "No such product variant.", list(field_path) or None)
    if variant.product_status != ProductStatus.ACTIVE:
        raise DomainError("PRODUCT_UNAVAILABLE", "This product is not available for sale.",
                          list(field_path) or None)
    return variant


def hold_until(now: datetime, hold_seconds: int) -> datetime:
    return now + timedelta(seconds=hold_seconds)


def over_cap_error(*field_path: str) -> DomainError:
    return invalid(f"A cart line holds at most {MAX_QUANTITY} units.", *field_path)
