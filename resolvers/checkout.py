"""Checkout use cases: start, update, and the priced session (`checkout(id:)` and the
CheckoutSession node). Every field needs a signed-in user."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from domain.checkout import services as service
from domain.checkout.sessions import CheckoutSession
from domain.errors import DomainError, ErrorList
from domain.identity.models import AddressFields
from domain.identity.rules import validate_address
from domain.ids import decode_pk
from domain.pricing import PromotionPreview
from resolvers.caller import Caller


@dataclass(frozen=True)
class AddressGiven:
    """A full address as the client sent it (not yet validated)."""

    full_name: str
    line1: str
    line2: Optional[str]
    city: str
    region: str
    postal_code: str
    country: str
    phone: Optional[str]


@dataclass(frozen=True)
class CheckoutUpdate:
    """checkoutUpdate's input as plain values: None is "left out" (or null), except for
    `notes`, where `notes_given` tells a null (clear the notes) from left out."""

    shipping_address_id: Optional[str] = None
    shipping_address: Optional[AddressGiven] = None
    billing_address_id: Optional[str] = None
    billing_address: Optional[AddressGiven] = None
    shipping_method_code: Optional[str] = None
    promotion_codes: Optional[list[str]] = None
    loyalty_points_to_use: Optional[int] = None
    notes: Optional[str] = None
    notes_given: bool = False


def _rebase(error: DomainError, field: str) -> DomainError:
    """validate_address names fields under "input"; here they sit under input.<field>."""
    path = list(error.field or [])
    if path[:1] == ["input"]:
        path = ["input", field, *path[1:]]
    return DomainError(error.code, error.message, path or None, error.data)


def _fields(address: AddressGiven, field: str) -> AddressFields:
    try:
        return validate_address(full_name=address.full_name, line1=address.line1,
                                line2=address.line2, city=address.city, region=address.region,
                                postal_code=address.postal_code, country=address.country,
                                phone=address.phone)
    except ErrorList as errors:
        raise ErrorList([_rebase(e, field) for e in errors.errors]) from None
    except DomainError as error:
        raise _rebase(error, field) from None


def _choice(address_id: Optional[str], address: Optional[AddressGiven],
            field: str) -> service.AddressChoice | None:
    if address_id is None and address is None:
        return None
    return service.AddressChoice(
        address_id=decode_pk(address_id, "Address") if address_id is not None else None,
        fields=_fields(address, field) if address is not None else None,
        given_id=address_id is not None)


def _changes(update: CheckoutUpdate) -> service.CheckoutChanges:
    return service.CheckoutChanges(
        shipping=_choice(update.shipping_address_id, update.shipping_address,
                         "shippingAddress"),
        billing=_choice(update.billing_address_id, update.billing_address, "billingAddress"),
        shipping_method=update.shipping_method_code,
        promotion_codes=update.promotion_codes,
        loyalty_points=update.loyalty_points_to_use,
        notes=update.notes, notes_given=update.notes_given)


async def _view(caller: Caller, session: CheckoutSession,
                priced: service.PricedSession | None = None) -> service.CheckoutView:
    policy = caller.settings.checkout_policy
    return await caller.units.read(
        lambda uow: service.checkout_view(uow, session=session, policy=policy, priced=priced))


async def offered_promotions(caller: Caller,
                             view: service.CheckoutView) -> list[PromotionPreview]:
    """`CheckoutSession.availablePromotions`, read when asked for."""
    return await caller.units.read(lambda uow: service.offered_promotions(uow, view))


async def checkout(caller: Caller, id: str) -> service.CheckoutView | None:
    me = await caller.require()
    session = await caller.units.read(lambda uow: service.find_session(
        uow, buyer_id=me.user_id, session_id=decode_pk(id, "CheckoutSession"),
        is_admin=me.is_admin))
    return await _view(caller, session) if session else None


async def checkout_start(caller: Caller) -> tuple[service.CheckoutView, list[DomainError]]:
    """The opened session, and warnings (lines changed on the way) for userErrors."""
    me = await caller.require()
    policy = caller.settings.checkout_policy
    priced, warnings = await caller.units.transaction(
        lambda uow: service.open_checkout(uow, buyer_id=me.user_id, policy=policy))
    return await _view(caller, priced.session, priced), warnings


async def checkout_update(caller: Caller, id: str,
                          update: CheckoutUpdate) -> service.CheckoutView:
    me = await caller.require()
    changes = _changes(update)
    policy = caller.settings.checkout_policy
    priced = await caller.units.transaction(lambda uow: service.change_checkout(
        uow, buyer_id=me.user_id, session_id=decode_pk(id, "CheckoutSession"),
        changes=changes, policy=policy))
    return await _view(caller, priced.session, priced)


async def checkout_node(caller: Caller, pk: int) -> service.CheckoutView | None:
    me = await caller.viewer()
    if me is None:
        return None
    session = await caller.units.read(lambda uow: service.find_session(
        uow, buyer_id=me.user_id, session_id=pk, is_admin=me.is_admin))
    return await _view(caller, session) if session else None
