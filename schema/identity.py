"""The identity feature's GraphQL side: User, Seller, Address, SavedPaymentMethod, the
sign-in and address/payment-method payloads, their inputs, and the root fields `me`, register,
login, tokenRefresh, addressAdd, addressRemove, paymentMethodAdd (use cases in
resolvers/identity.py).

Thin translations of domain.identity values (`from_domain`). `Seller.products` belongs to the
catalogue (schema.catalog.seller_products, returning a ProductConnection), imported lazily.
"""
from __future__ import annotations

import math
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional

import strawberry
from strawberry.types import Info

from adapters.security.rate_limits import LOGINS, limiter_of, login_key
from domain.errors import PermissionDenied, RateLimited
from domain.identity import models
from domain.ids import encode_id
from resolvers import identity as resolve
from schema.calls import caller, context, mutate
from schema.common import Node, UserError
from schema.node import node_resolver

if TYPE_CHECKING:
    from schema.orders import OrderConnection, OrderStatus
    from schema.loyalty import LoyaltyAccount
    from schema.catalog import ProductConnection


@strawberry.enum
class AccountType(Enum):
    BUYER = "BUYER"
    SELLER = "SELLER"
    ADMIN = "ADMIN"


@strawberry.type
class Address(Node):
    id: strawberry.ID
    full_name: str
    line1: str
    line2: Optional[str]
    city: str
    region: str
    postal_code: str
    country: str
    phone: Optional[str]
    is_default: bool

    @classmethod
    def from_domain(cls, address: models.Address) -> "Address":
        f = address.fields
        return cls(id=strawberry.ID(encode_id("Address", address.id)), full_name=f.full_name,
                   line1=f.line1, line2=f.line2, city=f.city, region=f.region,
                   postal_code=f.postal_code, country=f.country, phone=f.phone,
                   is_default=address.is_default)


@strawberry.type
class SavedPaymentMethod(Node):
    id: strawberry.ID
    provider_token: str = strawberry.field(
        description="Provider token, e.g. a Stripe PaymentMethod id such as pm_card_visa.")
    brand: str
    last4: str
    is_default: bool

    @classmethod
    def from_domain(cls, method: models.PaymentMethod) -> "SavedPaymentMethod":
        return cls(id=strawberry.ID(encode_id("SavedPaymentMethod", method.id)),
                   provider_token=method.provider_token, brand=method.brand,
                   last4=method.last4, is_default=method.is_default)


@strawberry.type
class Seller(Node):
    id: strawberry.ID
    display_name: str
    pk: strawberry.Private[int]

    @classmethod
    def from_domain(cls, seller: models.Seller) -> "Seller":
        return cls(id=strawberry.ID(encode_id("Seller", seller.id)),
                   display_name=seller.display_name, pk=seller.id)

    @strawberry.field
    async def products(
        self, info: Info, first: Optional[int] = 20, after: Optional[str] = None,
    ) -> Annotated["ProductConnection", strawberry.lazy("schema.catalog")]:
        from schema.catalog import seller_products

        return await seller_products(info, self.pk, 20 if first is None else first, after)


@strawberry.type
class User(Node):
    id: strawberry.ID
    account_type: AccountType
    disabled_at: Optional[datetime] = strawberry.field(
        description="When an admin disabled the account; null while it is active.")
    pk: strawberry.Private[int]
    seller_pk: strawberry.Private[Optional[int]]
    # True in a sign-in payload: the caller just proved to be this user (no token sent yet).
    signed_in: strawberry.Private[bool]
    _email: strawberry.Private[str]
    _name: strawberry.Private[str]
    # True for the buyer of an order seen by one of its sellers: the account's e-mail and name
    # are FORBIDDEN (docs/rules.md, "What each role sees").
    _masked: strawberry.Private[bool] = False

    @classmethod
    def from_domain(cls, user: models.User, *, signed_in: bool = False,
                    masked: bool = False) -> "User":
        return cls(id=strawberry.ID(encode_id("User", user.id)), _email=user.email,
                   _name=user.name, account_type=AccountType(user.account_type), pk=user.id,
                   seller_pk=user.seller_id, signed_in=signed_in, _masked=masked,
                   disabled_at=user.disabled_at)

    def _shown(self, value: str) -> str:
        if self._masked:
            raise PermissionDenied("Sellers do not see the buyer's account details.")
        return value

    @strawberry.field
    def email(self) -> str:
        return self._shown(self._email)

    @strawberry.field
    def name(self) -> str:
        return self._shown(self._name)

    @strawberry.field(description="Only the user themself and admins see them; others get [].")
    async def addresses(self, info: Info) -> list[Address]:
        found = await resolve.user_addresses(caller(info), self.pk, signed_in=self.signed_in)
        return [Address.from_domain(a) for a in found]

    @strawberry.field(description="Only the user themself and admins see them; others get [].")
    async def payment_methods(self, info: Info) -> list[SavedPaymentMethod]:
        found = await resolve.user_payment_methods(caller(info), self.pk,
                                                   signed_in=self.signed_in)
        return [SavedPaymentMethod.from_domain(m) for m in found]

    @strawberry.field(description="Points, tier and benefits; only the user themself and "
                      "admins see it, others get null.")
    async def loyalty(self, info: Info) -> Optional[Annotated[
            "LoyaltyAccount", strawberry.lazy("schema.loyalty")]]:
        from schema.loyalty import user_loyalty

        return await user_loyalty(info, self.pk, signed_in=self.signed_in)

    @strawberry.field(description="The user's orders, newest first; only the user themself "
                      "and admins see them, others get an empty list.")
    async def orders(
        self, info: Info, first: Optional[int] = 20, after: Optional[str] = None,
        status: Optional[Annotated["OrderStatus", strawberry.lazy("schema.orders")]] = None,
    ) -> Annotated["OrderConnection", strawberry.lazy("schema.orders")]:
        from schema.orders import user_orders

        return await user_orders(info, self.pk, first, after, status)

    @strawberry.field(description="Only for sellers: their seller profile.")
    async def seller(self, info: Info) -> Optional[Seller]:
        return seller_or_none(await resolve.seller_by_pk(caller(info), self.seller_pk))


@strawberry.type
class AuthPayload:
    token: Optional[str] = strawberry.field(
        default=None,
        description="A signed JWT access token; send it as `Authorization: Bearer <token>`.")
    expires_at: Optional[datetime] = None
    refresh_token: Optional[str] = strawberry.field(
        default=None,
        description="Long-lived, single-use token for tokenRefresh (mobile apps keep it in "
        "secure storage).")
    user: Optional[User] = None
    user_errors: list[UserError]


@strawberry.type
class AddressPayload:
    address: Optional[Address] = None
    user_errors: list[UserError]


@strawberry.type
class SavedPaymentMethodPayload:
    payment_method: Optional[SavedPaymentMethod] = None
    user_errors: list[UserError]


@strawberry.input
class RegisterInput:
    email: str
    password: str
    name: str
    account_type: AccountType = strawberry.field(
        default=AccountType.BUYER, description="BUYER or SELLER; ADMIN cannot register.")
    seller_display_name: Optional[str] = strawberry.field(
        default=None, description="Required for sellers: the name shoppers see.")


@strawberry.input
class AddressInput:
    full_name: str
    line1: str
    line2: Optional[str] = None
    city: str
    region: str = strawberry.field(description='State or province code, e.g. "CA".')
    postal_code: str
    country: str = strawberry.field(description='ISO 3166-1 alpha-2, e.g. "US".')
    phone: Optional[str] = None


NODE_TYPES = [User, Address, SavedPaymentMethod, Seller]


def seller_or_none(seller: models.Seller | None) -> Optional[Seller]:
    return Seller.from_domain(seller) if seller is not None else None


def user_or_none(user: models.User | None) -> Optional[User]:
    return User.from_domain(user) if user is not None else None


@node_resolver("User")
async def user_node(info: Info, pk: int) -> Optional[User]:
    return user_or_none(await resolve.user_node(caller(info), pk))


@node_resolver("Seller")
async def seller_node(info: Info, pk: int) -> Optional[Seller]:
    return seller_or_none(await resolve.seller_by_pk(caller(info), pk))


@node_resolver("Address")
async def address_node(info: Info, pk: int) -> Optional[Address]:
    found = await resolve.address_node(caller(info), pk)
    return Address.from_domain(found) if found is not None else None


@node_resolver("SavedPaymentMethod")
async def payment_method_node(info: Info, pk: int) -> Optional[SavedPaymentMethod]:
    found = await resolve.payment_method_node(caller(info), pk)
    return SavedPaymentMethod.from_domain(found) if found is not None else None


def _signed_in(result: models.AuthResult) -> dict[str, Any]:
    return {"token": result.access_token, "expires_at": result.expires_at,
            "refresh_token": result.refresh_token,
            "user": User.from_domain(result.user, signed_in=True)}


async def _count_login_attempt(info: Info, email: str) -> None:
    """LOGIN_RATE_LIMIT_PER_MINUTE attempts per client address and email (docs/rules.md,
    "Events out and shared state"), counted before the password is hashed; past it a
    top-level RATE_LIMITED error."""
    ctx = context(info)
    limiter = limiter_of(ctx.runtime, LOGINS)
    if limiter.limit <= 0:
        return
    retry_after = await limiter.acquire(login_key(ctx.client_ip, email))
    if retry_after is not None:
        raise RateLimited(f"Too many sign-in attempts for this email: at most {limiter.limit} "
                          f"a minute. Retry in {max(1, math.ceil(retry_after))} s.",
                          retry_after)


@strawberry.type
class Query:
    @strawberry.field(description="The caller; null when not signed in.")
    async def me(self, info: Info) -> Optional[User]:
        return user_or_none(await resolve.me(caller(info)))


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        async def run() -> dict[str, Any]:
            return _signed_in(await resolve.register(
                caller(info), context(info).runtime.auth, email=input.email,
                password=input.password, name=input.name,
                account_type=input.account_type.value,
                seller_display_name=input.seller_display_name))

        return await mutate(info, AuthPayload, run)

    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        await _count_login_attempt(info, email)

        async def run() -> dict[str, Any]:
            return _signed_in(await resolve.login(caller(info), context(info).runtime.auth,
                                                  email, password))

        return await mutate(info, AuthPayload, run)

    @strawberry.mutation(description="Trades a refresh token for a new access token and a new "
                         "refresh token; the old one stops working. An invalid, expired or "
                         "already used token answers INVALID_CREDENTIALS (and reuse of a used "
                         "token ends every session descended from the same sign-in).")
    async def token_refresh(self, info: Info, refresh_token: str) -> AuthPayload:
        async def run() -> dict[str, Any]:
            return _signed_in(await resolve.token_refresh(
                caller(info), context(info).runtime.auth, refresh_token))

        return await mutate(info, AuthPayload, run)

    @strawberry.mutation
    async def address_add(self, info: Info, input: AddressInput,
                          is_default: Optional[bool] = False) -> AddressPayload:
        async def run() -> dict[str, Any]:
            address = await resolve.address_add(
                caller(info), is_default=bool(is_default), full_name=input.full_name,
                line1=input.line1, line2=input.line2, city=input.city, region=input.region,
                postal_code=input.postal_code, country=input.country, phone=input.phone)
            return {"address": Address.from_domain(address)}

        return await mutate(info, AddressPayload, run)

    @strawberry.mutation
    async def address_remove(self, info: Info, id: strawberry.ID) -> AddressPayload:
        async def run() -> dict[str, Any]:
            address = await resolve.address_remove(caller(info), str(id))
            return {"address": Address.from_domain(address)}

        return await mutate(info, AddressPayload, run)

    @strawberry.mutation(description="Saves a provider payment method token (e.g. pm_card_visa) "
                         "for later checkouts. Saving the same token again returns the saved "
                         "one.")
    async def payment_method_add(self, info: Info, provider_token: str,
                                 is_default: Optional[bool] = False) -> SavedPaymentMethodPayload:
        async def run() -> dict[str, Any]:
            method = await resolve.payment_method_add(caller(info), provider_token,
                                                      bool(is_default))
            return {"payment_method": SavedPaymentMethod.from_domain(method)}

        return await mutate(info, SavedPaymentMethodPayload, run)
