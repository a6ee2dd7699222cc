"""Cart use cases. Each takes the unit of work, runs in its one transaction and commits.

Stock moves go through `uow.inventory` (single conditional UPDATEs): adding moves units
available -> reserved, lowering or removing a line moves them back. Any failure raises a
DomainError before commit, so nothing of the mutation survives (all-or-nothing).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Sequence

from domain import events
from domain.cart.model import (
    MAX_QUANTITY,
    Cart,
    check_addable,
    check_quantity,
    hold_until,
    over_cap_error,
)
from domain.errors import DomainError, invalid, not_found
from domain.catalog.inventory import StockLevel, crossed_low_stock, shortage_error
from domain.money import check_ceiling

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


MAX_GUEST_LINES = 100  # one merge is one write transaction: bound the work it may ask for


@dataclass(frozen=True)
class GuestLine:
    variant_id: int | None  # None: the client sent an id that is not a variant id
    quantity: int


async def expire_carts(uow: UnitOfWork, cart_ids: Sequence[int], now: datetime) -> list[int]:
    """Expire lapsed live carts: status EXPIRED, holds released, open checkout sessions
    EXPIRED, a CartExpired event each. Conditional, so each cart is expired exactly once even
    with several sweepers; returns the ids this call expired. Does not commit."""
    expired = await uow.carts.expire(cart_ids, now)
    ids = [cart_id for cart_id, _ in expired]
    if not ids:
        return []
    await uow.inventory.release_many(await uow.carts.held_units(ids))
    await uow.checkouts.expire_open_for_carts(ids, now)
    await uow.outbox.add_many([
        {"event_type": events.CART_EXPIRED, "aggregate_type": "Cart", "aggregate_id": cart_id,
         "payload": {"cartId": cart_id, "buyerId": buyer_id}}
        for cart_id, buyer_id in expired
    ], now)
    return ids


async def _open_for_change(uow: UnitOfWork, buyer_id: int, now: datetime, until: datetime) -> Cart:
    """The buyer's live cart with its holds extended to `until` (row locked on PostgreSQL);
    a lapsed one is expired first and a new empty cart started."""
    cart = await uow.carts.touch_live(buyer_id, now, until)
    if cart is not None:
        return cart
    lapsed = await uow.carts.live_for_buyer(buyer_id)
    if lapsed is not None:
        await expire_carts(uow, [lapsed.id], now)
    return await uow.carts.create(buyer_id, now, expires_at=until)


async def peek_cart(uow: UnitOfWork, *, buyer_id: int) -> Cart | None:
    """The buyer's live cart if it exists and has not lapsed (read-only, no lock); the `cart`
    query then needs no write transaction."""
    cart = await uow.carts.live_for_buyer(buyer_id, lock=False)
    return cart if cart is not None and not cart.lapsed(uow.now()) else None


async def current_cart(uow: UnitOfWork, *, buyer_id: int) -> Cart:
    """The buyer's live cart, created empty on first use (a lapsed one is expired first).
    Reading the cart does not extend its holds."""
    now = uow.now()
    cart = await uow.carts.live_for_buyer(buyer_id)
    if cart is not None and cart.lapsed(now):
        await expire_carts(uow, [cart.id], now)
        cart = None
    if cart is None:
        cart = await uow.carts.create(buyer_id, now)
    await uow.commit()
    return cart


async def _record_low_stock(uow: UnitOfWork, level: StockLevel, taken: int, seller_id: int,
                            now: datetime) -> None:
    if crossed_low_stock(level.available + taken, level):
        await uow.outbox.add(events.LOW_STOCK, "Variant", level.variant_id, {
            "variantId": level.variant_id, "sellerId": seller_id,
            "available": level.available, "threshold": level.low_stock_threshold,
        }, now)


async def _hold(uow: UnitOfWork, variant_id: int, quantity: int, *field: str) -> StockLevel:
    level = await uow.inventory.reserve(variant_id, quantity)
    if level is None:
        raise shortage_error(await uow.inventory.get(variant_id), quantity, *field)
    return level


async def _release(uow: UnitOfWork, variant_id: int, quantity: int) -> None:
    if await uow.inventory.release(variant_id, quantity) is None:
        raise DomainError("CONFLICT", "The stock held for this line is inconsistent.")


async def _finish(uow: UnitOfWork, cart: Cart, until: datetime, now: datetime,
                  grew: tuple[str, ...] | None = None) -> Cart:
    """Extend every line's hold; an emptied cart holds nothing and stops lapsing. A change
    that added units (`grew`: the input field) is refused when the cart's subtotal would pass
    the amount ceiling (domain.money), before anything commits."""
    lines = await uow.carts.extend_lines(cart.id, until)
    if grew is not None:
        check_ceiling(sum(line.total_minor for line in lines), "This cart", *grew)
    if not lines:
        await uow.carts.clear_expiry(cart.id)
        cart = replace(cart, expires_at=None)
    await uow.commit()
    return cart


async def add_line(uow: UnitOfWork, *, buyer_id: int, variant_id: int | None, quantity: int,
                   hold_seconds: int) -> Cart:
    check_quantity(quantity, "input", "quantity")
    if variant_id is None:
        raise not_found("No such product variant.", "input", "variantId")
    now = uow.now()
    until = hold_until(now, hold_seconds)
    cart = await _open_for_change(uow, buyer_id, now, until)
    variant = check_addable(await uow.carts.variant_for_cart(variant_id), "input", "variantId")
    if cart.currency != variant.currency:
        if await uow.carts.lines_with_prices(cart.id):
            raise invalid(f"This cart holds {cart.currency} items; this product is priced in "
                          f"{variant.currency}.", "input", "variantId")
        await uow.carts.set_currency(cart.id, variant.currency)
        cart = replace(cart, currency=variant.currency)
    line = await uow.carts.add_quantity(cart.id, variant_id, quantity, variant.price_minor,
                                        now, until)
    if line is None:
        raise over_cap_error("input", "quantity")
    level = await _hold(uow, variant_id, quantity, "input", "quantity")
    await _record_low_stock(uow, level, quantity, variant.seller_id, now)
    await uow.outbox.add(events.CART_ITEM_ADDED, "Cart", cart.id, {
        "cartId": cart.id, "buyerId": buyer_id, "variantId": variant_id, "quantity": quantity,
        "lineQuantity": line.quantity, "unitPriceMinor": variant.price_minor,
    }, now)
    return await _finish(uow, cart, until, now, grew=("input", "quantity"))


async def update_line(uow: UnitOfWork, *, buyer_id: int, line_id: int | None, quantity: int,
                      hold_seconds: int) -> Cart:
    """Set a line's quantity (0 removes it) and move the difference in held stock."""
    if quantity != 0:
        check_quantity(quantity, "quantity")
    now = uow.now()
    until = hold_until(now, hold_seconds)
    cart = await _open_for_change(uow, buyer_id, now, until)
    line = await uow.carts.line_of_cart(line_id, cart.id) if line_id else None
    if line is None:
        raise not_found("No such line in your cart.", "lineId")
    if quantity == 0:
        return await _remove(uow, cart, line.id, until, now)
    delta = quantity - line.quantity
    if delta > 0:
        variant = check_addable(await uow.carts.variant_for_cart(line.variant_id), "lineId")
        level = await _hold(uow, line.variant_id, delta, "quantity")
        await _record_low_stock(uow, level, delta, variant.seller_id, now)
    elif delta < 0:
        await _release(uow, line.variant_id, -delta)
    if delta and not await uow.carts.set_line_quantity(line.id, line.quantity, quantity):
        raise DomainError("CONFLICT", "The line changed meanwhile; try again.", ["lineId"])
    return await _finish(uow, cart, until, now, grew=("quantity",) if delta > 0 else None)


async def _remove(uow: UnitOfWork, cart: Cart, line_id: int, until: datetime,
                  now: datetime) -> Cart:
    removed = await uow.carts.delete_line(line_id, cart.id)
    if removed is None:
        raise not_found("No such line in your cart.", "lineId")
    await _release(uow, removed.variant_id, removed.quantity)
    return await _finish(uow, cart, until, now)


async def remove_line(uow: UnitOfWork, *, buyer_id: int, line_id: int | None,
                      hold_seconds: int) -> Cart:
    now = uow.now()
    until = hold_until(now, hold_seconds)
    cart = await _open_for_change(uow, buyer_id, now, until)
    if line_id is None:
        raise not_found("No such line in your cart.", "lineId")
    return await _remove(uow, cart, line_id, until, now)


async def merge_guest(uow: UnitOfWork, *, buyer_id: int, lines: Sequence[GuestLine],
                      hold_seconds: int) -> tuple[Cart, list[DomainError]]:
    """Add each guest line, capped at what is available (and at 100 per line). Lines that
    cannot be held at all, or only in part, are reported while the rest are merged. More than
    MAX_GUEST_LINES lines is INVALID_INPUT and nothing is merged."""
    if len(lines) > MAX_GUEST_LINES:
        raise invalid(f"A guest cart merges at most {MAX_GUEST_LINES} lines at once.", "lines")
    now = uow.now()
    until = hold_until(now, hold_seconds)
    cart = await _open_for_change(uow, buyer_id, now, until)
    problems: list[DomainError] = []
    for i, guest in enumerate(lines):
        field = ("lines", str(i))
        try:
            cart = await _merge_one(uow, cart, guest, field, now, until, problems)
        except DomainError as error:
            problems.append(error)
    return await _finish(uow, cart, until, now), problems


async def _merge_one(uow: UnitOfWork, cart: Cart, guest: GuestLine, field: tuple[str, ...],
                     now: datetime, until: datetime, problems: list[DomainError]) -> Cart:
    """Merge one guest line; returns the cart (its currency set by the first line added to
    an empty cart, as add_line does). Raises before any write when the line cannot be held."""
    check_quantity(guest.quantity, *field, "quantity")
    if guest.variant_id is None:
        raise not_found("No such product variant.", *field, "variantId")
    variant = check_addable(await uow.carts.variant_for_cart(guest.variant_id),
                            *field, "variantId")
    current = await uow.carts.lines_with_prices(cart.id)
    if variant.currency != cart.currency and current:
        raise invalid(f"This cart holds {cart.currency} items.", *field, "variantId")
    existing = next((ln for ln in current if ln.variant_id == guest.variant_id), None)
    room = MAX_QUANTITY - (existing.quantity if existing else 0)
    wanted = min(guest.quantity, room)
    take = min(wanted, variant.available)
    check_ceiling(sum(ln.total_minor for ln in current) + take * variant.price_minor,
                  "This cart", *field, "quantity")
    if take <= 0:
        raise shortage_error(await uow.inventory.get(guest.variant_id), wanted or 1,
                             *field, "quantity") if room > 0 else over_cap_error(
                                 *field, "quantity")
    level = await uow.inventory.reserve(guest.variant_id, take)
    if level is None:  # someone took units between our read and the conditional update
        raise shortage_error(await uow.inventory.get(guest.variant_id), take,
                             *field, "quantity")
    if variant.currency != cart.currency:  # an empty cart takes the first line's currency
        await uow.carts.set_currency(cart.id, variant.currency)
        cart = replace(cart, currency=variant.currency)
    await uow.carts.add_quantity(cart.id, guest.variant_id, take, variant.price_minor,
                                 now, until)
    await _record_low_stock(uow, level, take, variant.seller_id, now)
    await uow.outbox.add(events.CART_ITEM_ADDED, "Cart", cart.id, {
        "cartId": cart.id, "buyerId": cart.buyer_id, "variantId": guest.variant_id,
        "quantity": take, "merged": True}, now)
    if take < guest.quantity:
        problems.append(DomainError(
            "INSUFFICIENT_STOCK" if take < wanted else "INVALID_INPUT",
            f"Only {take} of {guest.quantity} could be added.", [*field, "quantity"],
            {"added": take}))
    return cart
