"""Root fields of the identity feature: `me`, and register / login / tokenRefresh /
addressAdd / addressRemove / paymentMethodAdd."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import identity as resolve
from schema.types.identity import (
    AddressInput,
    AddressPayload,
    AuthPayload,
    RegisterInput,
    SavedPaymentMethodPayload,
    User,
)


@strawberry.type
class Query:
    @strawberry.field(description="The caller; null when not signed in.")
    async def me(self, info: Info) -> Optional[User]:
        return await resolve.me(info)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        return await resolve.register(info, input)

    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> AuthPayload:
        return await resolve.login(info, email, password)

    @strawberry.mutation(description="Trades a refresh token for a new access token and a new "
                         "refresh token; the old one stops working. An invalid, expired or "
                         "already used token answers INVALID_CREDENTIALS (and reuse of a used "
                         "token ends every session descended from the same sign-in).")
    async def token_refresh(self, info: Info, refresh_token: str) -> AuthPayload:
        return await resolve.token_refresh(info, refresh_token)

    @strawberry.mutation
    async def address_add(self, info: Info, input: AddressInput,
                          is_default: Optional[bool] = False) -> AddressPayload:
        return await resolve.address_add(info, input, is_default)

    @strawberry.mutation
    async def address_remove(self, info: Info, id: strawberry.ID) -> AddressPayload:
        return await resolve.address_remove(info, id)

    @strawberry.mutation(description="Saves a provider payment method token (e.g. pm_card_visa) "
                         "for later checkouts. Saving the same token again returns the saved "
                         "one.")
    async def payment_method_add(self, info: Info, provider_token: str,
                                 is_default: Optional[bool] = False) -> SavedPaymentMethodPayload:
        return await resolve.payment_method_add(info, provider_token, is_default)
