"""GraphQL types of the identity feature: User, Seller, Address, SavedPaymentMethod, the sign-in
and address/payment-method payloads, and their inputs.

Thin translations of domain.identity values (`from_domain`). Relations resolve through the
loaders, by way of resolvers/identity.py (imported lazily: resolvers import these types).
`Seller.products` belongs to the catalogue (schema.catalog.seller_products, returning a
ProductConnection), both imported lazily.
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry
from strawberry.types import Info

from domain.errors import PermissionDenied
from domain.identity import models
from domain.ids import encode_id
from schema.common import Node, UserError

if TYPE_CHECKING:
    from schema.types.orders import OrderConnection, OrderStatus
    from schema.types.loyalty import LoyaltyAccount
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
        from resolvers.identity import user_addresses

        return await user_addresses(info, self.pk, signed_in=self.signed_in)

    @strawberry.field(description="Only the user themself and admins see them; others get [].")
    async def payment_methods(self, info: Info) -> list[SavedPaymentMethod]:
        from resolvers.identity import user_payment_methods

        return await user_payment_methods(info, self.pk, signed_in=self.signed_in)

    @strawberry.field(description="Points, tier and benefits; only the user themself and "
                      "admins see it, others get null.")
    async def loyalty(self, info: Info) -> Optional[Annotated[
            "LoyaltyAccount", strawberry.lazy("schema.types.loyalty")]]:
        from resolvers.loyalty import user_loyalty

        return await user_loyalty(info, self.pk, signed_in=self.signed_in)

    @strawberry.field(description="The user's orders, newest first; only the user themself "
                      "and admins see them, others get an empty list.")
    async def orders(
        self, info: Info, first: Optional[int] = 20, after: Optional[str] = None,
        status: Optional[Annotated["OrderStatus", strawberry.lazy("schema.types.orders")]] = None,
    ) -> Annotated["OrderConnection", strawberry.lazy("schema.types.orders")]:
        from resolvers.orders import user_orders

        return await user_orders(info, self.pk, first, after, status)

    @strawberry.field(description="Only for sellers: their seller profile.")
    async def seller(self, info: Info) -> Optional[Seller]:
        from resolvers.identity import seller_by_pk

        return await seller_by_pk(info, self.seller_pk)


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
