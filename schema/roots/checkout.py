"""Root fields of checkout, promotions and loyalty."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import checkout as r
from resolvers import promotions as p
from schema.types.checkout import CheckoutPayload, CheckoutSession, CheckoutUpdateInput
from schema.types.promotions import PromotionCreateInput, PromotionDetails, PromotionPayload


@strawberry.type
class Query:
    @strawberry.field
    async def checkout(self, info: Info, id: strawberry.ID) -> Optional[CheckoutSession]:
        return await r.checkout(info, str(id))

    @strawberry.field(description="Seller: their own promotion codes; admin: every code.")
    async def managed_promotions(self, info: Info) -> list[PromotionDetails]:
        return await p.managed_promotions(info)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Validates the cart (availability, current prices) and "
                         "opens a checkout session.")
    async def checkout_start(self, info: Info) -> CheckoutPayload:
        return await r.checkout_start(info)

    @strawberry.mutation
    async def checkout_update(self, info: Info, id: strawberry.ID,
                              input: CheckoutUpdateInput) -> CheckoutPayload:
        return await r.checkout_update(info, str(id), input)

    @strawberry.mutation(description="Seller: a code for their own products; admin: a "
                         "platform-wide code.")
    async def promotion_create(self, info: Info, input: PromotionCreateInput) -> PromotionPayload:
        return await p.promotion_create(info, input)

    @strawberry.mutation
    async def promotion_deactivate(self, info: Info, code: str) -> PromotionPayload:
        return await p.promotion_deactivate(info, code)
