"""What the pricing engine takes and gives: the lines and choices of a checkout, and the
priced breakdown (per line, per seller, per order) that `engine.calculate` returns. Values
only; the rules that fill them are in `engine` (docs/rules.md "Checkout")."""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.errors import DomainError
from domain.loyalty.points import Tier, points_earned
from domain.money import Money
from domain.pricing.shipping import ShippingOption
from domain.pricing.tax import Destination
from domain.promotions.codes import Promotion


# ---------------------------------------------------------------- input

@dataclass(frozen=True)
class PriceLine:
    key: Hashable
    seller_id: Hashable
    unit_price: int  # minor units
    quantity: int
    currency: str = "USD"

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class PricingRequest:
    """Everything the price depends on. `now` is needed when a promotion is given;
    `promotion_customer_uses` is how many paid orders of this buyer already used it."""

    lines: Sequence[PriceLine]
    currency: str | None = None  # defaults to the lines' currency; needed when there are none
    tier: Tier = Tier.BRONZE
    points_balance: int = 0
    points_requested: int = 0
    promotion: Promotion | None = None
    promotion_customer_uses: int = 0
    shipping_method: str | None = None
    destination: Destination | None = None
    tax_rates: Mapping[str, int] = field(default_factory=dict)
    now: datetime | None = None


# ---------------------------------------------------------------- output

@dataclass(frozen=True)
class Discount:
    type: str  # "TIER" | "PROMOTION" | "LOYALTY_POINTS"
    code: str | None
    description: str
    amount: Money


@dataclass(frozen=True)
class LinePrice:
    key: Hashable
    seller_id: Hashable
    quantity: int
    unit_price: Money
    subtotal: Money
    tier_discount: Money
    promotion_discount: Money
    points_discount: Money
    net: Money  # subtotal - the three discounts
    tax: Money

    @property
    def discount_total(self) -> Money:
        return self.tier_discount + self.promotion_discount + self.points_discount

    @property
    def revenue(self) -> Money:
        """After tier and promotion discounts (what the seller is paid for it, before fees)."""
        return self.subtotal - self.tier_discount - self.promotion_discount

    @property
    def total(self) -> Money:
        return self.net + self.tax


@dataclass(frozen=True)
class SellerPrice:
    seller_id: Hashable
    items_subtotal: Money
    item_revenue: Money  # R_s: items after tier and promotion discounts
    points_discount: Money  # funded by the platform
    shipping: Money  # S_s
    shipping_tax: Money
    tax: Money  # on their lines and their shipment


@dataclass(frozen=True)
class PriceBreakdown:
    currency: str
    subtotal: Money
    discounts: tuple[Discount, ...]
    discount_total: Money
    shipping: Money
    tax: Money
    total: Money
    points_used: int
    max_points: int  # the 50 % cap for this checkout, in points
    tax_rate: int  # thousandths of a percent
    shipping_method: ShippingOption | None
    promotion_code: str | None
    promotion_shipping_saving: Money
    lines: tuple[LinePrice, ...]
    sellers: tuple[SellerPrice, ...]

    def _sum(self, attribute: str) -> Money:
        return Money(sum(getattr(line, attribute).minor for line in self.lines), self.currency)

    @property
    def gross(self) -> Money:
        """Subtotal + shipping + tax: no figure of this pricing (discounts, total, a line's or
        a seller's part) is larger, so the amount ceiling is checked on it (docs/rules.md)."""
        return self.subtotal + self.shipping + self.tax

    @property
    def tier_discount(self) -> Money:
        return self._sum("tier_discount")

    @property
    def promotion_discount(self) -> Money:
        return self._sum("promotion_discount")

    @property
    def points_discount(self) -> Money:
        return self._sum("points_discount")

    @property
    def items_total(self) -> Money:
        """Items after every discount, points included: what the buyer pays for goods."""
        return self._sum("net")

    @property
    def points_earned(self) -> int:
        """Points the order earns once paid (1 per whole unit of `items_total`)."""
        return points_earned(self.items_total.minor, self.currency)


@dataclass(frozen=True)
class PromotionPreview:
    """For `availablePromotions`: whether a code applies now and what it would take off."""

    code: str
    description: str
    applicable: bool
    discount: Money
    reason: DomainError | None = None
