"""LoyaltyAccount and LoyaltyTier."""
from __future__ import annotations

from enum import Enum

import strawberry

from domain.loyalty import points as domain
from schema.types.common import Money


@strawberry.enum
class LoyaltyTier(Enum):
    BRONZE = "BRONZE"
    SILVER = "SILVER"
    GOLD = "GOLD"


@strawberry.type
class LoyaltyAccount:
    points: int
    points_value: Money = strawberry.field(description="What the points are worth if redeemed now.")
    tier: LoyaltyTier
    free_shipping: bool
    tier_discount_percent: int = strawberry.field(
        description="Percent off the items subtotal granted by the tier (0..100).")

    @classmethod
    def from_domain(cls, account: domain.LoyaltyAccount, currency: str = "USD") -> "LoyaltyAccount":
        return cls(points=account.points,
                   points_value=Money.from_domain(account.points_value(currency)),
                   tier=LoyaltyTier(str(account.tier)), free_shipping=account.free_shipping,
                   tier_discount_percent=account.tier_discount_percent)
