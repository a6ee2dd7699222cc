"""The cart feature's GraphQL side: Cart, CartLine, CartStatus, CartLineInput, CartPayload,
the `cart` query and the four cart mutations (use cases in resolvers/cart.py)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Optional

import strawberry
from strawberry.types import Info

from domain.cart import model as domain
from domain.ids import encode_id
from domain.cart.model import CartStatus
from resolvers import cart as resolve
from schema.calls import caller, mutate
from schema.common import Money, Node, UserError
from schema.node import node_resolver

if TYPE_CHECKING:
    from schema.catalog import ProductVariant


strawberry.enum(CartStatus)  # the domain's own enum is the GraphQL one: one list of statuses


@strawberry.type
class CartLine(Node):
    _line: strawberry.Private[domain.CartLine]
    id: strawberry.ID
    quantity: int
    reserved_until: datetime = strawberry.field(
        description="When the stock held for this line is released unless the cart is "
        "touched again.")

    @classmethod
    def from_domain(cls, line: domain.CartLine) -> "CartLine":
        return cls(_line=line, id=strawberry.ID(encode_id("CartLine", line.id)),
                   quantity=line.quantity, reserved_until=line.reserved_until)

    @strawberry.field(description="The variant's current price.")
    def unit_price(self) -> Money:
        return Money.of(self._line.unit_price_minor, self._line.currency)

    @strawberry.field
    def total(self) -> Money:
        return Money.of(self._line.total_minor, self._line.currency)

    @strawberry.field
    async def variant(self, info: Info) -> Annotated[
            "ProductVariant", strawberry.lazy("schema.catalog")]:
        from schema.catalog import variant_by_pk

        variant = await variant_by_pk(info, self._line.variant_id)
        assert variant is not None, "a cart line's variant cannot be deleted (foreign key)"
        return variant


@strawberry.type
class Cart(Node):
    _cart: strawberry.Private[domain.Cart]
    id: strawberry.ID
    status: CartStatus
    expires_at: Optional[datetime]
    updated_at: datetime

    @classmethod
    def from_domain(cls, cart: domain.Cart) -> "Cart":
        return cls(_cart=cart, id=strawberry.ID(encode_id("Cart", cart.id)),
                   status=CartStatus(cart.status), expires_at=cart.expires_at,
                   updated_at=cart.updated_at)

    async def _lines(self, info: Info) -> list[domain.CartLine]:
        return await info.context.loaders.cart_lines_by_cart.load(self._cart.id)  # type: ignore[no-any-return]

    @strawberry.field
    async def lines(self, info: Info) -> list[CartLine]:
        return [CartLine.from_domain(line) for line in await self._lines(info)]

    @strawberry.field
    async def total_quantity(self, info: Info) -> int:
        return sum(line.quantity for line in await self._lines(info))

    @strawberry.field(description="Sum of the lines at the variants' current prices.")
    async def subtotal(self, info: Info) -> Money:
        lines = await self._lines(info)
        return Money.of(sum(line.total_minor for line in lines), self._cart.currency)


@strawberry.input
class CartLineInput:
    variant_id: strawberry.ID
    quantity: int


@strawberry.type
class CartPayload:
    user_errors: list[UserError]
    cart: Optional[Cart] = None


NODE_TYPES = [Cart, CartLine]


def _cart_payload(found: domain.Cart) -> dict[str, Any]:
    return {"cart": Cart.from_domain(found)}


@node_resolver("Cart")
async def cart_node(info: Info, pk: int) -> Optional[Cart]:
    found = await resolve.cart_node(caller(info), pk)
    return Cart.from_domain(found) if found is not None else None


@node_resolver("CartLine")
async def cart_line_node(info: Info, pk: int) -> Optional[CartLine]:
    found = await resolve.cart_line_node(caller(info), pk)
    return CartLine.from_domain(found) if found is not None else None


@strawberry.type
class Query:
    @strawberry.field(description="The caller's active cart, created empty on first use. "
                      "Needs a signed-in user.")
    async def cart(self, info: Info) -> Cart:
        return Cart.from_domain(await resolve.cart(caller(info)))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Adds units of a variant, holding that stock for the cart "
                         "(soft reservation).")
    async def cart_add_line(self, info: Info, input: CartLineInput) -> CartPayload:
        async def run() -> dict[str, Any]:
            return _cart_payload(await resolve.cart_add_line(
                caller(info), str(input.variant_id), input.quantity))

        return await mutate(info, CartPayload, run)

    @strawberry.mutation(description="Sets a line's quantity; 0 removes it. Adjusts the held "
                         "stock.")
    async def cart_update_line(self, info: Info, line_id: strawberry.ID,
                               quantity: int) -> CartPayload:
        async def run() -> dict[str, Any]:
            return _cart_payload(await resolve.cart_update_line(
                caller(info), str(line_id), quantity))

        return await mutate(info, CartPayload, run)

    @strawberry.mutation
    async def cart_remove_line(self, info: Info, line_id: strawberry.ID) -> CartPayload:
        async def run() -> dict[str, Any]:
            return _cart_payload(await resolve.cart_remove_line(caller(info), str(line_id)))

        return await mutate(info, CartPayload, run)

    @strawberry.mutation(description="Moves a guest cart kept on the device into the caller's "
                         "cart, after login.")
    async def cart_merge_guest(self, info: Info, lines: list[CartLineInput]) -> CartPayload:
        async def run() -> dict[str, Any]:
            merged, problems = await resolve.cart_merge_guest(
                caller(info), [(str(ln.variant_id), ln.quantity) for ln in lines])
            return {"cart": Cart.from_domain(merged),
                    "user_errors": [UserError.from_domain(p) for p in problems]}

        return await mutate(info, CartPayload, run)
