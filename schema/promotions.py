"""Promotion codes as their managers see them, the inputs to manage them, and the root fields
managedPromotions, promotionCreate, promotionDeactivate (use cases in resolvers/promotions.py)."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, Optional

import strawberry
from strawberry.types import Info

from domain.promotions import codes as domain
from resolvers import promotions as resolve
from schema.calls import caller, mutate
from schema.common import Money, UserError
from schema.identity import Seller


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


def _payload(found: domain.Promotion) -> dict[str, Any]:
    return {"promotion": PromotionDetails.from_domain(found)}


@strawberry.type
class Query:
    @strawberry.field(description="Seller: their own promotion codes; admin: every code.")
    async def managed_promotions(self, info: Info) -> list[PromotionDetails]:
        return [PromotionDetails.from_domain(p)
                for p in await resolve.managed_promotions(caller(info))]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Seller: a code for their own products; admin: a "
                         "platform-wide code.")
    async def promotion_create(self, info: Info, input: PromotionCreateInput) -> PromotionPayload:
        async def run() -> dict[str, Any]:
            return _payload(await resolve.promotion_create(
                caller(info), code=input.code, description=input.description,
                kind=input.kind.name, value=input.value,
                min_subtotal_minor=input.min_subtotal_minor_units, starts_at=input.starts_at,
                ends_at=input.ends_at, usage_limit=input.usage_limit,
                per_customer_limit=input.per_customer_limit))

        return await mutate(info, PromotionPayload, run)

    @strawberry.mutation
    async def promotion_deactivate(self, info: Info, code: str) -> PromotionPayload:
        async def run() -> dict[str, Any]:
            return _payload(await resolve.promotion_deactivate(caller(info), code))

        return await mutate(info, PromotionPayload, run)
