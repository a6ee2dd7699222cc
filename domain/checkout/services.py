"""Checkout use cases: start, update, and the priced view of a session.

Each mutation runs in one transaction and commits at the end; a DomainError before that
leaves nothing changed. Pricing is always computed by domain.pricing from the cart's current
lines and the session's choices.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Mapping

from domain import events
from domain.cart.model import CartStatus, hold_until
from domain.checkout.sessions import (
    MAX_NOTES,
    AddressSnapshot,
    CheckoutLine,
    CheckoutSession,
    price_changes,
    unavailable_lines,
)
from domain.errors import DomainError, ErrorList, invalid, not_found
from domain.identity.models import AddressFields
from domain.loyalty.points import LoyaltyAccount
from domain.money import check_ceiling
from domain.pricing import (
    Destination,
    PriceBreakdown,
    PriceLine,
    PricingRequest,
    PromotionPreview,
    ShippingOption,
    available_shipping_methods,
    calculate,
    preview_promotions,
)
from domain.promotions.codes import normalize_code, unknown_code_error

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

SHIPPING_CODES = ("STANDARD", "EXPRESS")


@dataclass(frozen=True)
class Policy:
    hold_seconds: int
    session_seconds: int
    tax_rates: Mapping[str, int]


@dataclass(frozen=True)
class AddressChoice:
    """Either a saved address id or new fields (already validated), or neither."""

    address_id: int | None = None
    fields: AddressFields | None = None
    given_id: bool = False  # the client sent an id (maybe undecodable: address_id None)


@dataclass(frozen=True)
class CheckoutChanges:
    shipping: AddressChoice | None = None
    billing: AddressChoice | None = None
    shipping_method: str | None = None
    promotion_codes: list[str] | None = None
    loyalty_points: int | None = None
    notes: str | None = None
    notes_given: bool = False


@dataclass(frozen=True)
class CheckoutView:
    """What a CheckoutSession shows; the promotions on offer are read only when asked for
    (`offered_promotions`)."""

    session: CheckoutSession
    lines: list[CheckoutLine]
    pricing: PriceBreakdown
    shipping_methods: list[ShippingOption]
    request: PricingRequest
    loyalty: LoyaltyAccount
    status: str
    warnings: list[DomainError] = field(default_factory=list)


@dataclass(frozen=True)
class PricedSession:
    """A session as checkoutStart / checkoutUpdate left it, with the cart lines and loyalty
    account its transaction priced it from, so its view reads them no second time
    (docs/rules.md, "Statement budgets of mutations")."""

    session: CheckoutSession
    lines: list[CheckoutLine]
    loyalty: LoyaltyAccount


# ---------------------------------------------------------------- pricing inputs

def _price_lines(lines: list[CheckoutLine]) -> list[PriceLine]:
    return [PriceLine(key=ln.line_id, seller_id=ln.seller_id, unit_price=ln.unit_price_minor,
                      quantity=ln.quantity, currency=ln.currency) for ln in lines]


def _destination(session: CheckoutSession) -> Destination | None:
    if session.shipping_address is None:
        return None
    fields = session.shipping_address.fields
    return Destination(country=fields.country, region=fields.region)


async def _request(uow: UnitOfWork, session: CheckoutSession, lines: list[CheckoutLine],
                   loyalty: LoyaltyAccount, policy: Policy, now: datetime) -> PricingRequest:
    promotion, uses = None, 0
    if session.promotion_code:
        found = await uow.promotions.by_code(session.promotion_code)
        if found is None:
            raise unknown_code_error(session.promotion_code)
        promotion = found
        uses = await uow.promotions.customer_uses(session.promotion_code, session.buyer_id)
    return PricingRequest(
        lines=_price_lines(lines), currency=session.currency, tier=loyalty.tier,
        points_balance=loyalty.points, points_requested=session.loyalty_points,
        promotion=promotion, promotion_customer_uses=uses,
        shipping_method=session.shipping_method, destination=_destination(session),
        tax_rates=policy.tax_rates, now=now)


async def price_session(uow: UnitOfWork, session: CheckoutSession, lines: list[CheckoutLine],
                        policy: Policy) -> tuple[PriceBreakdown, PricingRequest, LoyaltyAccount]:
    """Price the session exactly as chosen; raises the pricing errors (promotion, points)."""
    now = uow.now()
    loyalty = await uow.loyalty.account(session.buyer_id, now)
    request = await _request(uow, session, lines, loyalty, policy, now)
    breakdown = calculate(request)
    check_priced(breakdown)
    return breakdown, request, loyalty


def check_priced(breakdown: PriceBreakdown) -> None:
    """LIMIT_EXCEEDED when the checkout's figures would not fit the amount ceiling."""
    check_ceiling(breakdown.gross.minor, "This checkout, shipping and tax included,")


async def _shown_pricing(uow: UnitOfWork, session: CheckoutSession, lines: list[CheckoutLine],
                         loyalty: LoyaltyAccount, policy: Policy,
                         now: datetime) -> tuple[PriceBreakdown, PricingRequest]:
    """The price a session shows. A promotion or points choice that no longer holds (e.g.
    the code expired since it was applied) is left out rather than failing;
    checkoutUpdate and checkoutComplete report it."""
    shown = session
    for _attempt in range(3):
        try:
            request = await _request(uow, shown, lines, loyalty, policy, now)
            return calculate(request), request
        except DomainError as error:
            if error.code.startswith("PROMOTION") and shown.promotion_code:
                shown = shown.with_choices(promotion_code=None)
            elif shown.loyalty_points:
                shown = shown.with_choices(loyalty_points=0)
            elif shown.shipping_method:
                shown = shown.with_choices(shipping_method=None)
            else:
                raise
    raise AssertionError("could not price checkout")  # pragma: no cover - three fallbacks


# ---------------------------------------------------------------- start

async def start_checkout(uow: UnitOfWork, *, buyer_id: int,
                         policy: Policy) -> tuple[CheckoutSession, list[DomainError]]:
    priced, warnings = await open_checkout(uow, buyer_id=buyer_id, policy=policy)
    return priced.session, warnings


async def open_checkout(uow: UnitOfWork, *, buyer_id: int,
                        policy: Policy) -> tuple[PricedSession, list[DomainError]]:
    """checkoutStart: the opened (or refreshed) session, priced, and the price warnings."""
    now = uow.now()
    until = hold_until(now, policy.hold_seconds)
    # the cart moves to CHECKOUT with its hold extended (any error below rolls both back)
    cart = await uow.carts.touch_live(buyer_id, now, until, status=CartStatus.CHECKOUT)
    if cart is None:
        lapsed = await uow.carts.live_for_buyer(buyer_id)
        if lapsed is not None and lapsed.lapsed(now):
            raise DomainError("CART_EXPIRED", "Your cart expired; its items were released.")
        raise DomainError("CART_EMPTY", "Your cart is empty.")
    lines = await uow.checkouts.lines(cart.id)
    if not lines:
        raise DomainError("CART_EMPTY", "Your cart is empty.")
    unavailable = unavailable_lines(lines)
    if unavailable:
        raise ErrorList(unavailable)
    warnings = price_changes(lines)
    await uow.carts.reprice_lines({ln.line_id: ln.unit_price_minor for ln in lines
                                   if ln.unit_price_minor != ln.added_price_minor})
    await uow.carts.extend_lines(cart.id, until)
    expires = now + timedelta(seconds=policy.session_seconds)
    session = await uow.checkouts.open_for_cart(cart.id)
    if session is not None:
        session = await uow.checkouts.refresh(session, now, expires)
    else:
        default = await uow.checkouts.default_address(buyer_id)
        session = await uow.checkouts.create(
            cart_id=cart.id, buyer_id=buyer_id, currency=cart.currency,
            shipping_address=default, shipping_method="STANDARD", now=now, expires_at=expires,
            cart_expires_at=cart.expires_at)
        await uow.outbox.add(events.CHECKOUT_STARTED, "Checkout", session.id, {
            "checkoutId": session.id, "cartId": cart.id, "buyerId": buyer_id,
            "lines": len(lines)}, now)
    loyalty = await uow.loyalty.account(buyer_id, now)
    check_priced((await _shown_pricing(uow, session, lines, loyalty, policy, now))[0])
    await uow.commit()
    seen = [replace(ln, added_price_minor=ln.unit_price_minor) for ln in lines]  # repriced
    return PricedSession(session, seen, loyalty), warnings


# ---------------------------------------------------------------- update

async def _address(uow: UnitOfWork, buyer_id: int, choice: AddressChoice | None,
                   field_name: str) -> AddressSnapshot | None:
    if choice is None:
        return None
    if choice.given_id and choice.fields is not None:
        raise invalid(f"Give either {field_name}Id or {field_name}, not both.",
                      "input", field_name)
    if choice.given_id:
        found = await uow.checkouts.saved_address(buyer_id, choice.address_id) \
            if choice.address_id else None
        if found is None:
            raise not_found("No such saved address.", "input", f"{field_name}Id")
        return found
    assert choice.fields is not None
    saved = await uow.users.add_address(user_id=buyer_id, fields=choice.fields,
                                        is_default=None, now=uow.now())  # first: default
    return AddressSnapshot(saved.id, saved.fields)


def _promotion_code(codes: list[str] | None, current: str | None) -> str | None:
    if codes is None:
        return current
    cleaned = [normalize_code(c) for c in codes if c.strip()]
    if len(set(cleaned)) > 1:
        raise invalid("At most one promotion code per checkout.", "input", "promotionCodes")
    return cleaned[0] if cleaned else None


async def update_checkout(uow: UnitOfWork, *, buyer_id: int, session_id: int | None,
                          changes: CheckoutChanges, policy: Policy) -> CheckoutSession:
    return (await change_checkout(uow, buyer_id=buyer_id, session_id=session_id,
                                  changes=changes, policy=policy)).session


async def change_checkout(uow: UnitOfWork, *, buyer_id: int, session_id: int | None,
                          changes: CheckoutChanges, policy: Policy) -> PricedSession:
    """checkoutUpdate: the session with the changes saved, priced."""
    now = uow.now()
    session = await uow.checkouts.get(session_id, lock=True) if session_id else None
    if session is None or session.buyer_id != buyer_id:
        raise not_found("No such checkout.", "id")
    session.check_usable(now)
    until = hold_until(now, policy.hold_seconds)
    cart = await uow.carts.touch_live(buyer_id, now, until)
    if cart is None or cart.id != session.cart_id:
        raise DomainError("CHECKOUT_EXPIRED",
                          "This checkout has expired; start a new one from your cart.")
    method = session.shipping_method
    if changes.shipping_method is not None:
        method = changes.shipping_method.strip().upper()
        if method not in SHIPPING_CODES:
            raise invalid(f"Unknown shipping method; choose one of {', '.join(SHIPPING_CODES)}.",
                          "input", "shippingMethodCode")
    points = session.loyalty_points
    if changes.loyalty_points is not None:
        if changes.loyalty_points < 0:
            raise invalid("Loyalty points cannot be negative.", "input", "loyaltyPointsToUse")
        points = changes.loyalty_points
    notes = session.notes
    if changes.notes_given:
        if changes.notes is not None and len(changes.notes) > MAX_NOTES:
            raise invalid(f"Notes are limited to {MAX_NOTES} characters.", "input", "notes")
        notes = changes.notes
    updated = session.with_choices(
        shipping_address=await _address(uow, buyer_id, changes.shipping, "shippingAddress")
        or session.shipping_address,
        billing_address=await _address(uow, buyer_id, changes.billing, "billingAddress")
        or session.billing_address,
        shipping_method=method,
        promotion_code=_promotion_code(changes.promotion_codes, session.promotion_code),
        loyalty_points=points, notes=notes, cart_expires_at=cart.expires_at,
    )
    lines = await uow.checkouts.lines(cart.id)
    _, _, loyalty = await price_session(uow, updated, lines, policy)  # raises promotion errors
    saved = await uow.checkouts.save_choices(updated, now)
    await uow.carts.extend_lines(cart.id, until)
    await uow.commit()
    return PricedSession(saved, lines, loyalty)


# ---------------------------------------------------------------- the priced view

async def checkout_view(uow: UnitOfWork, *, session: CheckoutSession, policy: Policy,
                        warnings: list[DomainError] | None = None,
                        priced: PricedSession | None = None) -> CheckoutView:
    """Everything a CheckoutSession shows but the promotions on offer. A promotion or points
    choice that no longer holds (e.g. the code expired since it was applied) is left out of
    the price shown rather than failing the read; checkoutUpdate and checkoutComplete report
    it. `priced`: the lines and loyalty account the mutation that wrote `session` read."""
    now = uow.now()
    if priced is not None:
        lines, loyalty = priced.lines, priced.loyalty
    else:
        lines = await uow.checkouts.lines(session.cart_id)
        loyalty = await uow.loyalty.account(session.buyer_id, now)
    pricing, request = await _shown_pricing(uow, session, lines, loyalty, policy, now)
    return CheckoutView(
        session=session, lines=lines, pricing=pricing,
        shipping_methods=available_shipping_methods(request), request=request,
        loyalty=loyalty, status=session.shown_status(now), warnings=warnings or [])


async def offered_promotions(uow: UnitOfWork, view: CheckoutView) -> list[PromotionPreview]:
    """The promotions on offer to the view's checkout, previewed against its price."""
    seller_ids = sorted({ln.seller_id for ln in view.lines})
    candidates = await uow.promotions.offered(view.request.now or uow.now(), seller_ids)
    uses = await uow.promotions.customer_uses_many([p.code for p in candidates],
                                                   view.session.buyer_id)
    return preview_promotions(view.request, candidates, uses)


async def find_session(uow: UnitOfWork, *, buyer_id: int, session_id: int | None,
                       is_admin: bool = False) -> CheckoutSession | None:
    session = await uow.checkouts.get(session_id) if session_id else None
    if session is None or (session.buyer_id != buyer_id and not is_admin):
        return None
    return session
