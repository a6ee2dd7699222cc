"""Checkout sessions: the buyer's choices on top of a cart in CHECKOUT, priced on demand.

Rules (docs/rules.md, Checkout):
- checkoutStart validates every line (product still ACTIVE, stock held, current price), moves
  the cart to CHECKOUT and opens a session for 30 minutes, or until the cart's holds lapse,
  whichever comes first (`effective_expiry`). Starting again while a session is open returns
  that session, refreshed (re-validated, holds extended, 30 minutes from now).
- A price changed since the line was added is applied and reported (PRICE_CHANGED), and the
  session is still opened with the new price; the new price is recorded on the line.
- The session never stores amounts: pricing is computed from the cart's current lines and the
  session's choices every time (domain.pricing), so a client cannot send prices or totals.
- A session is usable while OPEN and not past its effective expiry (CHECKOUT_EXPIRED
  otherwise); a COMPLETED one cannot be changed (INVALID_STATE_TRANSITION).
- New sessions are prefilled with the buyer's default saved address and STANDARD shipping.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.catalog.models import ProductStatus
from domain.errors import DomainError
from domain.identity.models import AddressFields


class CheckoutStatus(StrEnum):
    """A checkout session's status (stored as its value)."""

    OPEN = "OPEN"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"


MAX_NOTES = 2000


@dataclass(frozen=True)
class AddressSnapshot:
    """An address as chosen for this checkout (its saved address id, if any, and fields)."""

    address_id: int | None
    fields: AddressFields


@dataclass(frozen=True)
class CheckoutSession:
    id: int
    cart_id: int
    buyer_id: int
    status: str
    currency: str
    shipping_address: AddressSnapshot | None
    billing_address: AddressSnapshot | None
    shipping_method: str | None
    promotion_code: str | None
    loyalty_points: int
    notes: str | None
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    cart_expires_at: datetime | None = None  # the cart's hold expiry, when known

    @property
    def effective_expiry(self) -> datetime:
        if self.cart_expires_at is None:
            return self.expires_at
        return min(self.expires_at, self.cart_expires_at)

    def shown_status(self, now: datetime) -> str:
        """OPEN sessions past their expiry show as EXPIRED even before the sweeper runs."""
        if self.status == CheckoutStatus.OPEN and self.effective_expiry <= now:
            return CheckoutStatus.EXPIRED
        return self.status

    def check_usable(self, now: datetime) -> None:
        if self.status == CheckoutStatus.COMPLETED:
            raise DomainError("INVALID_STATE_TRANSITION", "This checkout is already completed.")
        if self.shown_status(now) != CheckoutStatus.OPEN:
            raise DomainError("CHECKOUT_EXPIRED",
                              "This checkout has expired; start a new one from your cart.")

    def with_choices(self, **changes: object) -> "CheckoutSession":
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CheckoutLine:
    """A cart line as checkout sees it: current price, product status, seller."""

    line_id: int
    variant_id: int
    quantity: int
    unit_price_minor: int
    added_price_minor: int
    currency: str
    product_status: str
    product_name: str
    seller_id: int
    sku: str = ""


def price_changes(lines: list[CheckoutLine]) -> list[DomainError]:
    return [
        DomainError(
            "PRICE_CHANGED",
            f"The price of {line.product_name} changed from {line.added_price_minor} to "
            f"{line.unit_price_minor} ({line.currency} minor units).",
            ["lines", str(i)],
            {"old": line.added_price_minor, "new": line.unit_price_minor},
        )
        for i, line in enumerate(lines)
        if line.unit_price_minor != line.added_price_minor
    ]


def unavailable_lines(lines: list[CheckoutLine]) -> list[DomainError]:
    return [
        DomainError("PRODUCT_UNAVAILABLE",
                    f"{line.product_name} is no longer available; remove it from your cart.",
                    ["lines", str(i)])
        for i, line in enumerate(lines)
        if line.product_status != ProductStatus.ACTIVE
    ]
