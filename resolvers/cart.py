"""Cart use cases: the caller's cart, its four mutations, and the Cart and CartLine nodes.
Every field needs a signed-in user (AuthenticationRequired otherwise)."""
from __future__ import annotations

from typing import Awaitable, Callable

from domain.cart import services as cart_service
from domain.cart.model import Cart, CartLine
from domain.errors import DomainError
from domain.ids import decode_pk
from domain.ports import UnitOfWork
from resolvers.caller import Caller

CartChange = Callable[[UnitOfWork, int], Awaitable[Cart]]


async def cart(caller: Caller) -> Cart:
    """The caller's active cart, created empty on first use."""
    me = await caller.require()
    found = await caller.units.read(lambda uow: cart_service.peek_cart(uow, buyer_id=me.user_id))
    if found is None:  # first use, or a lapsed cart to expire: a write transaction
        found = await caller.units.transaction(
            lambda uow: cart_service.current_cart(uow, buyer_id=me.user_id))
    return found


async def _change(caller: Caller, use_case: CartChange) -> Cart:
    me = await caller.require()
    return await caller.units.transaction(lambda uow: use_case(uow, me.user_id))


async def cart_add_line(caller: Caller, variant_id: str, quantity: int) -> Cart:
    pk = decode_pk(variant_id, "ProductVariant")
    hold = caller.settings.cart_hold_seconds
    return await _change(caller, lambda uow, buyer: cart_service.add_line(
        uow, buyer_id=buyer, variant_id=pk, quantity=quantity, hold_seconds=hold))


async def cart_update_line(caller: Caller, line_id: str, quantity: int) -> Cart:
    pk = decode_pk(line_id, "CartLine")
    hold = caller.settings.cart_hold_seconds
    return await _change(caller, lambda uow, buyer: cart_service.update_line(
        uow, buyer_id=buyer, line_id=pk, quantity=quantity, hold_seconds=hold))


async def cart_remove_line(caller: Caller, line_id: str) -> Cart:
    pk = decode_pk(line_id, "CartLine")
    hold = caller.settings.cart_hold_seconds
    return await _change(caller, lambda uow, buyer: cart_service.remove_line(
        uow, buyer_id=buyer, line_id=pk, hold_seconds=hold))


async def cart_merge_guest(caller: Caller, lines: list[tuple[str, int]]
                           ) -> tuple[Cart, list[DomainError]]:
    """The merged cart and the guest lines that could not be merged (as errors)."""
    me = await caller.require()
    guest = [cart_service.GuestLine(decode_pk(variant_id, "ProductVariant"), quantity)
             for variant_id, quantity in lines]
    hold = caller.settings.cart_hold_seconds
    merged, problems = await caller.units.transaction(
        lambda uow: cart_service.merge_guest(uow, buyer_id=me.user_id, lines=guest,
                                             hold_seconds=hold))
    return merged, list(problems)


async def cart_node(caller: Caller, pk: int) -> Cart | None:
    me = await caller.viewer()
    if me is None:
        return None
    found = await caller.loaders.cart_by_id(pk)
    if found is None or (found.buyer_id != me.user_id and not me.is_admin):
        return None
    return found


async def cart_line_node(caller: Caller, pk: int) -> CartLine | None:
    me = await caller.viewer()
    if me is None:
        return None
    found = await caller.loaders.line_with_owner(pk)
    if found is None or (found[1] != me.user_id and not me.is_admin):
        return None
    return found[0]
