"""Checkout resolvers: start, update, and the priced session."""
from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from domain.checkout import services as service
from domain.errors import DomainError, ErrorList
from domain.identity.rules import validate_address
from domain.ids import decode_pk
from resolvers.common import ctx, mutate, viewer
from resolvers.node import node_resolver
from schema.types.checkout import CheckoutPayload, CheckoutSession, CheckoutUpdateInput
from schema.types.common import UserError
from schema.types.identity import AddressInput


def policy(info: Info) -> service.Policy:
    settings = ctx(info).runtime.settings
    return service.Policy(hold_seconds=settings.cart_hold_seconds,
                          session_seconds=settings.checkout_session_seconds,
                          tax_rates=settings.tax_rates)


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


def _rebase(error: DomainError, field: str) -> DomainError:
    """validate_address names fields under "input"; here they sit under input.<field>."""
    path = list(error.field or [])
    if path[:1] == ["input"]:
        path = ["input", field, *path[1:]]
    return DomainError(error.code, error.message, path or None, error.data)


def _fields(address: AddressInput | None, field: str) -> Any:
    if address is None:
        return None
    try:
        return validate_address(full_name=address.full_name, line1=address.line1,
                                line2=address.line2, city=address.city, region=address.region,
                                postal_code=address.postal_code, country=address.country,
                                phone=address.phone)
    except ErrorList as errors:
        raise ErrorList([_rebase(e, field) for e in errors.errors]) from None
    except DomainError as error:
        raise _rebase(error, field) from None


def _choice(id_value: Any, fields_value: Any, field: str) -> service.AddressChoice | None:
    given_id = _given(id_value) and id_value is not None
    given_fields = _given(fields_value) and fields_value is not None
    if not given_id and not given_fields:
        return None
    return service.AddressChoice(
        address_id=decode_pk(str(id_value), "Address") if given_id else None,
        fields=_fields(fields_value, field) if given_fields else None, given_id=given_id)


def _changes(input: CheckoutUpdateInput) -> service.CheckoutChanges:
    return service.CheckoutChanges(
        shipping=_choice(input.shipping_address_id, input.shipping_address, "shippingAddress"),
        billing=_choice(input.billing_address_id, input.billing_address, "billingAddress"),
        shipping_method=input.shipping_method_code
        if _given(input.shipping_method_code) else None,
        promotion_codes=list(input.promotion_codes)
        if _given(input.promotion_codes) and input.promotion_codes is not None else None,
        loyalty_points=input.loyalty_points_to_use
        if _given(input.loyalty_points_to_use) else None,
        notes=input.notes if _given(input.notes) else None,
        notes_given=_given(input.notes),
    )


async def _view(info: Info, session: Any, warnings: list[DomainError] | None = None
                ) -> CheckoutSession:
    view = await ctx(info).runtime.read(
        lambda uow: service.checkout_view(uow, session=session, policy=policy(info),
                                          warnings=warnings))
    return CheckoutSession.from_view(view)


async def checkout(info: Info, id: str) -> CheckoutSession | None:
    me = await viewer(info)
    session = await ctx(info).runtime.read(lambda uow: service.find_session(
        uow, buyer_id=me.user_id, session_id=decode_pk(id, "CheckoutSession"),
        is_admin=me.is_admin))
    return await _view(info, session) if session else None


async def checkout_start(info: Info) -> CheckoutPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        session, warnings = await ctx(info).runtime.transaction(
            lambda uow: service.start_checkout(uow, buyer_id=me.user_id, policy=policy(info)))
        return {"checkout": await _view(info, session),
                "user_errors": [UserError.from_domain(w) for w in warnings]}

    return await mutate(info, CheckoutPayload, run)


async def checkout_update(info: Info, id: str, input: CheckoutUpdateInput) -> CheckoutPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        changes = _changes(input)
        session = await ctx(info).runtime.transaction(lambda uow: service.update_checkout(
            uow, buyer_id=me.user_id, session_id=decode_pk(id, "CheckoutSession"),
            changes=changes, policy=policy(info)))
        return {"checkout": await _view(info, session)}

    return await mutate(info, CheckoutPayload, run)


@node_resolver("CheckoutSession")
async def checkout_node(info: Info, pk: int) -> CheckoutSession | None:
    me = await ctx(info).viewer()
    if me is None:
        return None
    session = await ctx(info).runtime.read(lambda uow: service.find_session(
        uow, buyer_id=me.user_id, session_id=pk, is_admin=me.is_admin))
    return await _view(info, session) if session else None
