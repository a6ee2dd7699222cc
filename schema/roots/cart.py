"""Root fields of the cart feature."""
from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import cart as r
from schema.types.cart import Cart, CartLineInput, CartPayload


@strawberry.type
class Query:
    @strawberry.field(description="The caller's active cart, created empty on first use. "
                      "Needs a signed-in user.")
    async def cart(self, info: Info) -> Cart:
        return await r.cart(info)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Adds units of a variant, holding that stock for the cart "
                         "(soft reservation).")
    async def cart_add_line(self, info: Info, input: CartLineInput) -> CartPayload:
        return await r.cart_add_line(info, input)

    @strawberry.mutation(description="Sets a line's quantity; 0 removes it. Adjusts the held "
                         "stock.")
    async def cart_update_line(self, info: Info, line_id: strawberry.ID,
                               quantity: int) -> CartPayload:
        return await r.cart_update_line(info, str(line_id), quantity)

    @strawberry.mutation
    async def cart_remove_line(self, info: Info, line_id: strawberry.ID) -> CartPayload:
        return await r.cart_remove_line(info, str(line_id))

    @strawberry.mutation(description="Moves a guest cart kept on the device into the caller's "
                         "cart, after login.")
    async def cart_merge_guest(self, info: Info, lines: list[CartLineInput]) -> CartPayload:
        return await r.cart_merge_guest(info, lines)
