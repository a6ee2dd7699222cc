"""Loyalty account of a user (only the user themself and admins see it)."""
from __future__ import annotations

from strawberry.types import Info

from resolvers.common import ctx
from schema.types.loyalty import LoyaltyAccount


async def user_loyalty(info: Info, user_id: int, *, signed_in: bool = False
                       ) -> LoyaltyAccount | None:
    who = await ctx(info).viewer()
    if not (signed_in or (who is not None and (who.user_id == user_id or who.is_admin))):
        return None
    runtime = ctx(info).runtime
    account = await runtime.read(lambda uow: uow.loyalty.account(user_id, uow.now()))
    return LoyaltyAccount.from_domain(account)
