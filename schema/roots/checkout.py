"""Root fields of checkout."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import checkout as r
from schema.types.checkout import CheckoutPayload, CheckoutSession, CheckoutUpdateInput


@strawberry.type
class Query:
    @strawberry.field
    async def checkout(self, info: Info, id: strawberry.ID) -> Optional[CheckoutSession]:
        return await r.checkout(info, str(id))


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
