"""Use cases of the identity feature: me, register, login, tokenRefresh, addressAdd,
addressRemove, paymentMethodAdd, the User relations, and the User, Seller, Address and
SavedPaymentMethod nodes.

Visibility: a User node is visible to that user and to admins; an Address or
SavedPaymentMethod to its owner (and admins); a Seller profile to everyone. A user's addresses
and payment methods are listed only to that user (including in the payload of the sign-in that
just proved it) and admins; anyone else sees [].
Business failures are DomainErrors (userErrors in schema/calls.py); a missing or bad token on
a field that needs a user is AuthenticationRequired (top-level UNAUTHENTICATED).
"""
from __future__ import annotations

from domain.identity import accounts, addresses, sessions, wallet
from domain.identity.models import Address, AuthResult, PaymentMethod, Seller, User
from domain.identity.ports import AuthServices
from domain.identity.viewer import Viewer
from domain.ids import decode_pk
from resolvers.caller import Caller


def _may_see(who: Viewer | None, user_id: int) -> bool:
    return who is not None and (who.user_id == user_id or who.is_admin)


# --- queries and relations
async def me(caller: Caller) -> User | None:
    who = await caller.viewer()
    if who is None:
        return None
    return await caller.loaders.user_by_id.load(who.user_id)


async def user_addresses(caller: Caller, user_id: int, *,
                         signed_in: bool = False) -> list[Address]:
    if not (signed_in or _may_see(await caller.viewer(), user_id)):
        return []
    return await caller.loaders.addresses_by_user.load(user_id)


async def user_payment_methods(caller: Caller, user_id: int, *,
                               signed_in: bool = False) -> list[PaymentMethod]:
    if not (signed_in or _may_see(await caller.viewer(), user_id)):
        return []
    return await caller.loaders.payment_methods_by_user.load(user_id)


async def seller_by_pk(caller: Caller, seller_id: int | None) -> Seller | None:
    if seller_id is None:
        return None
    return await caller.loaders.seller_by_id.load(seller_id)


# --- nodes
async def user_node(caller: Caller, pk: int) -> User | None:
    if not _may_see(await caller.viewer(), pk):
        return None
    return await caller.loaders.user_by_id.load(pk)


async def address_node(caller: Caller, pk: int) -> Address | None:
    address = await caller.loaders.address_by_id.load(pk)
    if address is None or not _may_see(await caller.viewer(), address.user_id):
        return None
    return address


async def payment_method_node(caller: Caller, pk: int) -> PaymentMethod | None:
    method = await caller.loaders.payment_method_by_id.load(pk)
    if method is None or not _may_see(await caller.viewer(), method.user_id):
        return None
    return method


# --- sign-in (the login attempt limit is counted by schema/identity.py before this runs)
async def register(caller: Caller, auth: AuthServices, *, email: str, password: str,
                   name: str, account_type: str,
                   seller_display_name: str | None) -> AuthResult:
    return await accounts.register(
        caller.units.transaction, auth, email=email, password=password, name=name,
        account_type=account_type, seller_display_name=seller_display_name)


async def login(caller: Caller, auth: AuthServices, email: str, password: str) -> AuthResult:
    return await accounts.login(caller.units.transaction, auth, email=email, password=password)


async def token_refresh(caller: Caller, auth: AuthServices, refresh_token: str) -> AuthResult:
    return await sessions.refresh_session(caller.units.transaction, auth,
                                          refresh_token=refresh_token)


# --- address book and wallet
async def address_add(caller: Caller, *, is_default: bool, full_name: str, line1: str,
                      line2: str | None, city: str, region: str, postal_code: str,
                      country: str, phone: str | None) -> Address:
    who = await caller.require()
    return await caller.units.transaction(lambda uow: addresses.add_address(
        uow, user_id=who.user_id, is_default=is_default, full_name=full_name, line1=line1,
        line2=line2, city=city, region=region, postal_code=postal_code, country=country,
        phone=phone))


async def address_remove(caller: Caller, id: str) -> Address:
    who = await caller.require()
    address_id = decode_pk(id, "Address")
    return await caller.units.transaction(lambda uow: addresses.remove_address(
        uow, user_id=who.user_id, address_id=address_id))


async def payment_method_add(caller: Caller, provider_token: str,
                             is_default: bool) -> PaymentMethod:
    who = await caller.require()
    return await caller.units.transaction(lambda uow: wallet.add_payment_method(
        uow, user_id=who.user_id, provider_token=provider_token, is_default=is_default))
