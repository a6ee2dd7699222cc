"""Promotion codes as their managers see them, and the inputs to manage them."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Optional

import strawberry
from strawberry.types import Info

from domain.promotions import codes as domain
from schema.types.common import Money, UserError
from schema.types.identity import Seller


@strawberry.enum
class PromotionKind(Enum):
    PERCENT = strawberry.enum_value(
        "PERCENT", description="value is a percent, 1..100, of the eligible items.")
    FIXED = strawberry.enum_value(
        "FIXED", description="value is an amount in minor units off the eligible items.")
    FREE_SHIPPING = strawberry.enum_value(
        "FREE_SHIPPING", description="Standard shipping becomes free; value is ignored.")


@strawberry.type
class PromotionDetails:
    _promotion: strawberry.Private[domain.Promotion]
    code: str
    description: str
    kind: PromotionKind
    value: int
    min_subtotal: Optional[Money]
    starts_at: Optional[datetime]
    ends_at: Optional[datetime]
    usage_limit: Optional[int]
    per_customer_limit: Optional[int]
    times_used: int
    active: bool

    @classmethod
    def from_domain(cls, p: domain.Promotion) -> "PromotionDetails":
        minimum = (Money.of(p.min_subtotal_minor, p.currency)
                   if p.min_subtotal_minor is not None else None)
        return cls(_promotion=p, code=p.code, description=p.describe(),
                   kind=PromotionKind(str(p.kind)), value=p.value, min_subtotal=minimum,
                   starts_at=p.starts_at, ends_at=p.ends_at, usage_limit=p.usage_limit,
                   per_customer_limit=p.per_customer_limit, times_used=p.times_used,
                   active=p.active)

    @strawberry.field(description="Set when the code only discounts this seller's products.")
    async def seller(self, info: Info) -> Optional[Seller]:
        seller_id = self._promotion.seller_id
        if seller_id is None:
            return None
        found = await info.context.loaders.seller_by_id.load(seller_id)
        return Seller.from_domain(found) if found else None


@strawberry.input
class PromotionCreateInput:
    code: str
    description: str
    kind: PromotionKind
    value: int = 0
    min_subtotal_minor_units: Optional[int] = None
    starts_at: Optional[datetime] = None
    ends_at: Optional[datetime] = None
    usage_limit: Optional[int] = None
    per_customer_limit: Optional[int] = None


@strawberry.type
class PromotionPayload:
    user_errors: list[UserError]
    promotion: Optional[PromotionDetails] = None
