"""Cart resolvers: the caller's cart and its four mutations."""
from __future__ import annotations

from typing import Any

from strawberry.types import Info

from domain import cart_service
from domain.ids import decode_pk
from resolvers.common import ctx, mutate, viewer
from resolvers.node import node_resolver
from schema.types.cart import Cart, CartLine, CartLineInput, CartPayload
from schema.types.common import UserError


def _hold(info: Info) -> int:
    return ctx(info).runtime.settings.cart_hold_seconds


async def cart(info: Info) -> Cart:
    me = await viewer(info)
    runtime = ctx(info).runtime
    found = await runtime.read(lambda uow: cart_service.peek_cart(uow, buyer_id=me.user_id))
    if found is None:  # first use, or a lapsed cart to expire: a write transaction
        found = await runtime.transaction(
            lambda uow: cart_service.current_cart(uow, buyer_id=me.user_id))
    return Cart.from_domain(found)


async def _cart_payload(info: Info, use_case: Any) -> CartPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        changed = await ctx(info).runtime.transaction(lambda uow: use_case(uow, me.user_id))
        return {"cart": Cart.from_domain(changed)}

    return await mutate(info, CartPayload, run)


async def cart_add_line(info: Info, input: CartLineInput) -> CartPayload:
    variant_id = decode_pk(str(input.variant_id), "ProductVariant")
    return await _cart_payload(info, lambda uow, buyer: cart_service.add_line(
        uow, buyer_id=buyer, variant_id=variant_id, quantity=input.quantity,
        hold_seconds=_hold(info)))


async def cart_update_line(info: Info, line_id: str, quantity: int) -> CartPayload:
    pk = decode_pk(line_id, "CartLine")
    return await _cart_payload(info, lambda uow, buyer: cart_service.update_line(
        uow, buyer_id=buyer, line_id=pk, quantity=quantity, hold_seconds=_hold(info)))


async def cart_remove_line(info: Info, line_id: str) -> CartPayload:
    pk = decode_pk(line_id, "CartLine")
    return await _cart_payload(info, lambda uow, buyer: cart_service.remove_line(
        uow, buyer_id=buyer, line_id=pk, hold_seconds=_hold(info)))


async def cart_merge_guest(info: Info, lines: list[CartLineInput]) -> CartPayload:
    me = await viewer(info)
    guest = [cart_service.GuestLine(decode_pk(str(ln.variant_id), "ProductVariant"), ln.quantity)
             for ln in lines]

    async def run() -> dict[str, Any]:
        merged, problems = await ctx(info).runtime.transaction(
            lambda uow: cart_service.merge_guest(uow, buyer_id=me.user_id, lines=guest,
                                                 hold_seconds=_hold(info)))
        return {"cart": Cart.from_domain(merged),
                "user_errors": [UserError.from_domain(p) for p in problems]}

    return await mutate(info, CartPayload, run)


@node_resolver("Cart")
async def cart_node(info: Info, pk: int) -> Cart | None:
    me = await ctx(info).viewer()
    if me is None:
        return None
    from persistence.reads.cart import cart_by_id

    found = await ctx(info).reads.run(lambda conn: cart_by_id(conn, pk))
    if found is None or (found.buyer_id != me.user_id and not me.is_admin):
        return None
    return Cart.from_domain(found)


@node_resolver("CartLine")
async def cart_line_node(info: Info, pk: int) -> CartLine | None:
    me = await ctx(info).viewer()
    if me is None:
        return None
    from persistence.reads.cart import line_with_owner

    found = await ctx(info).reads.run(lambda conn: line_with_owner(conn, pk))
    if found is None or (found[1] != me.user_id and not me.is_admin):
        return None
    return CartLine.from_domain(found[0])
