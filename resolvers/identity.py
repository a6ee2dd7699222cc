"""Resolvers of the identity feature: me, register, login, tokenRefresh, addressAdd,
addressRemove, paymentMethodAdd, the User relations, and node(id:) for User, Seller, Address
and SavedPaymentMethod.

Visibility: a User node is visible to that user and to admins; an Address or
SavedPaymentMethod to its owner (and admins); a Seller profile to everyone. A user's addresses
and payment methods are listed only to that user (including in the payload of the sign-in that
just proved it) and admins; anyone else sees [].
Business failures are `userErrors` (resolvers.common.mutate); a missing or bad token on a field
that needs a user is the top-level UNAUTHENTICATED error.
"""
from __future__ import annotations

import math
from typing import Any

import strawberry
from strawberry.types import Info

from domain.identity.viewer import Viewer
from domain.identity import accounts, addresses, sessions, wallet
from domain.identity.models import AuthResult
from domain.errors import RateLimited
from domain.ids import decode_pk
from resolvers.common import ctx, mutate, viewer
from schema.node import node_resolver
from schema.types.identity import (
    Address,
    AddressInput,
    AddressPayload,
    AuthPayload,
    RegisterInput,
    SavedPaymentMethod,
    SavedPaymentMethodPayload,
    Seller,
    User,
)
from adapters.security.identity import auth_services
from adapters.security.rate_limits import LOGINS, limiter_of, login_key


def _may_see(who: Viewer | None, user_id: int) -> bool:
    return who is not None and (who.user_id == user_id or who.is_admin)


# --- queries and relations
async def me(info: Info) -> User | None:
    who = await ctx(info).viewer()
    if who is None:
        return None
    user = await ctx(info).loaders.user_by_id.load(who.user_id)
    return User.from_domain(user) if user is not None else None


async def user_addresses(info: Info, user_id: int, *,
                         signed_in: bool = False) -> list[Address]:
    if not (signed_in or _may_see(await ctx(info).viewer(), user_id)):
        return []
    rows = await ctx(info).loaders.addresses_by_user.load(user_id)
    return [Address.from_domain(a) for a in rows]


async def user_payment_methods(info: Info, user_id: int, *,
                               signed_in: bool = False) -> list[SavedPaymentMethod]:
    if not (signed_in or _may_see(await ctx(info).viewer(), user_id)):
        return []
    rows = await ctx(info).loaders.payment_methods_by_user.load(user_id)
    return [SavedPaymentMethod.from_domain(m) for m in rows]


async def seller_by_pk(info: Info, seller_id: int | None) -> Seller | None:
    if seller_id is None:
        return None
    seller = await ctx(info).loaders.seller_by_id.load(seller_id)
    return Seller.from_domain(seller) if seller is not None else None


# --- node(id:)
@node_resolver("User")
async def user_node(info: Info, pk: int) -> User | None:
    if not _may_see(await ctx(info).viewer(), pk):
        return None
    user = await ctx(info).loaders.user_by_id.load(pk)
    return User.from_domain(user) if user is not None else None


@node_resolver("Seller")
async def seller_node(info: Info, pk: int) -> Seller | None:
    return await seller_by_pk(info, pk)


@node_resolver("Address")
async def address_node(info: Info, pk: int) -> Address | None:
    address = await ctx(info).loaders.address_by_id.load(pk)
    if address is None or not _may_see(await ctx(info).viewer(), address.user_id):
        return None
    return Address.from_domain(address)


@node_resolver("SavedPaymentMethod")
async def payment_method_node(info: Info, pk: int) -> SavedPaymentMethod | None:
    method = await ctx(info).loaders.payment_method_by_id.load(pk)
    if method is None or not _may_see(await ctx(info).viewer(), method.user_id):
        return None
    return SavedPaymentMethod.from_domain(method)


# --- sign-in mutations
async def register(info: Info, input: RegisterInput) -> AuthPayload:
    runtime = ctx(info).runtime

    async def run() -> dict[str, Any]:
        result = await accounts.register(
            runtime.transaction, auth_services(runtime), email=input.email,
            password=input.password, name=input.name, account_type=input.account_type.value,
            seller_display_name=input.seller_display_name)
        return _signed_in(result)

    return await mutate(info, AuthPayload, run)


async def login(info: Info, email: str, password: str) -> AuthPayload:
    runtime = ctx(info).runtime
    await _count_login_attempt(info, email)

    async def run() -> dict[str, Any]:
        result = await accounts.login(runtime.transaction, auth_services(runtime), email=email,
                                      password=password)
        return _signed_in(result)

    return await mutate(info, AuthPayload, run)


async def token_refresh(info: Info, refresh_token: str) -> AuthPayload:
    runtime = ctx(info).runtime

    async def run() -> dict[str, Any]:
        result = await sessions.refresh_session(runtime.transaction, auth_services(runtime),
                                                refresh_token=refresh_token)
        return _signed_in(result)

    return await mutate(info, AuthPayload, run)


async def _count_login_attempt(info: Info, email: str) -> None:
    """LOGIN_RATE_LIMIT_PER_MINUTE attempts per client address and email (docs/rules.md,
    "Events out and shared state"), counted before the password is hashed; past it a
    top-level RATE_LIMITED error."""
    context = ctx(info)
    limiter = limiter_of(context.runtime, LOGINS)
    if limiter.limit <= 0:
        return
    retry_after = await limiter.acquire(login_key(context.client_ip, email))
    if retry_after is not None:
        raise RateLimited(f"Too many sign-in attempts for this email: at most {limiter.limit} "
                          f"a minute. Retry in {max(1, math.ceil(retry_after))} s.",
                          retry_after)


def _signed_in(result: AuthResult) -> dict[str, Any]:
    return {"token": result.access_token, "expires_at": result.expires_at,
            "refresh_token": result.refresh_token,
            "user": User.from_domain(result.user, signed_in=True)}


# --- address book and wallet
async def address_add(info: Info, input: AddressInput,
                      is_default: bool | None) -> AddressPayload:
    who = await viewer(info)

    async def run() -> dict[str, Any]:
        address = await ctx(info).runtime.transaction(lambda uow: addresses.add_address(
            uow, user_id=who.user_id, is_default=bool(is_default), full_name=input.full_name,
            line1=input.line1, line2=input.line2, city=input.city, region=input.region,
            postal_code=input.postal_code, country=input.country, phone=input.phone))
        return {"address": Address.from_domain(address)}

    return await mutate(info, AddressPayload, run)


async def address_remove(info: Info, id: strawberry.ID) -> AddressPayload:
    who = await viewer(info)
    address_id = decode_pk(str(id), "Address")

    async def run() -> dict[str, Any]:
        address = await ctx(info).runtime.transaction(lambda uow: addresses.remove_address(
            uow, user_id=who.user_id, address_id=address_id))
        return {"address": Address.from_domain(address)}

    return await mutate(info, AddressPayload, run)


async def payment_method_add(info: Info, provider_token: str,
                             is_default: bool | None) -> SavedPaymentMethodPayload:
    who = await viewer(info)

    async def run() -> dict[str, Any]:
        method = await ctx(info).runtime.transaction(lambda uow: wallet.add_payment_method(
            uow, user_id=who.user_id, provider_token=provider_token,
            is_default=bool(is_default)))
        return {"payment_method": SavedPaymentMethod.from_domain(method)}

    return await mutate(info, SavedPaymentMethodPayload, run)
