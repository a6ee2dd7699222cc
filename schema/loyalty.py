"""LoyaltyAccount and LoyaltyTier, and `User.loyalty` (use case in resolvers/loyalty.py)."""
from __future__ import annotations

from enum import Enum
from typing import Optional

import strawberry
from strawberry.types import Info

from domain.loyalty import points as domain
from resolvers import loyalty as resolve
from schema.calls import caller
from schema.common import Money


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


async def user_loyalty(info: Info, user_id: int, *, signed_in: bool) -> Optional[LoyaltyAccount]:
    """`User.loyalty` (schema/identity.py)."""
    found = await resolve.user_loyalty(caller(info), user_id, signed_in=signed_in)
    return LoyaltyAccount.from_domain(found) if found is not None else None
