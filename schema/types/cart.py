"""Cart types: Cart, CartLine, CartStatus, CartLineInput, CartPayload."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry
from strawberry.types import Info

from domain.cart import model as domain
from domain.ids import encode_id
from schema.types.common import Money, Node, UserError

if TYPE_CHECKING:
    from schema.types.catalog import ProductVariant


@strawberry.enum
class CartStatus(Enum):
    ACTIVE = "ACTIVE"
    CHECKOUT = "CHECKOUT"
    COMPLETED = "COMPLETED"
    EXPIRED = "EXPIRED"
    ABANDONED = "ABANDONED"


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
            "ProductVariant", strawberry.lazy("schema.types.catalog")]:
        from resolvers.catalog import variant_by_pk

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
