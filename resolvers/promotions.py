"""Promotion management (sellers: their own codes; admins: platform codes)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from domain.promotions import services as service
from domain.errors import forbidden
from domain.promotions.codes import Promotion
from resolvers.caller import Caller


async def promotion_create(caller: Caller, *, code: str, description: str, kind: str,
                           value: int, min_subtotal_minor: Optional[int],
                           starts_at: Optional[datetime], ends_at: Optional[datetime],
                           usage_limit: Optional[int],
                           per_customer_limit: Optional[int]) -> Promotion:
    me = await caller.require()
    if not (me.is_admin or me.is_seller):
        raise forbidden("Only sellers and admins create promotion codes.")
    return await caller.units.transaction(lambda uow: service.create_promotion(
        uow, actor_user_id=me.user_id, seller_id=None if me.is_admin else me.seller_id,
        code=code, description=description, kind=kind, value=value,
        min_subtotal_minor=min_subtotal_minor, starts_at=starts_at, ends_at=ends_at,
        usage_limit=usage_limit, per_customer_limit=per_customer_limit))


async def promotion_deactivate(caller: Caller, code: str) -> Promotion:
    me = await caller.require()
    if not (me.is_admin or me.is_seller):
        raise forbidden("Only sellers and admins manage promotion codes.")
    return await caller.units.transaction(lambda uow: service.deactivate_promotion(
        uow, code=code, seller_id=me.seller_id, is_admin=me.is_admin))


async def managed_promotions(caller: Caller) -> list[Promotion]:
    me = await caller.require("SELLER", "ADMIN")
    return list(await caller.units.read(
        lambda uow: uow.promotions.managed(None if me.is_admin else me.seller_id)))
