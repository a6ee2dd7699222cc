"""Loyalty account of a user (only the user themself and admins see it)."""
from __future__ import annotations

from domain.loyalty.points import LoyaltyAccount
from resolvers.caller import Caller


async def user_loyalty(caller: Caller, user_id: int, *, signed_in: bool = False
                       ) -> LoyaltyAccount | None:
    who = await caller.viewer()
    if not (signed_in or (who is not None and (who.user_id == user_id or who.is_admin))):
        return None
    return await caller.units.read(lambda uow: uow.loyalty.account(user_id, uow.now()))
