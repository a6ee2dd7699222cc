"""Promotion management resolvers (sellers: own codes; admins: platform codes)."""
from __future__ import annotations

from typing import Any

from strawberry.types import Info

from domain.promotions import services as service
from resolvers.common import ctx, mutate, viewer
from schema.types.promotions import PromotionCreateInput, PromotionDetails, PromotionPayload


async def promotion_create(info: Info, input: PromotionCreateInput) -> PromotionPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        if not (me.is_admin or me.is_seller):
            from domain.errors import forbidden

            raise forbidden("Only sellers and admins create promotion codes.")
        created = await ctx(info).runtime.transaction(lambda uow: service.create_promotion(
            uow, actor_user_id=me.user_id, seller_id=None if me.is_admin else me.seller_id,
            code=input.code, description=input.description, kind=input.kind.name,
            value=input.value, min_subtotal_minor=input.min_subtotal_minor_units,
            starts_at=input.starts_at, ends_at=input.ends_at, usage_limit=input.usage_limit,
            per_customer_limit=input.per_customer_limit))
        return {"promotion": PromotionDetails.from_domain(created)}

    return await mutate(info, PromotionPayload, run)


async def promotion_deactivate(info: Info, code: str) -> PromotionPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        if not (me.is_admin or me.is_seller):
            from domain.errors import forbidden

            raise forbidden("Only sellers and admins manage promotion codes.")
        done = await ctx(info).runtime.transaction(lambda uow: service.deactivate_promotion(
            uow, code=code, seller_id=me.seller_id, is_admin=me.is_admin))
        return {"promotion": PromotionDetails.from_domain(done)}

    return await mutate(info, PromotionPayload, run)


async def managed_promotions(info: Info) -> list[PromotionDetails]:
    me = await viewer(info, "SELLER", "ADMIN")
    found = await ctx(info).runtime.read(
        lambda uow: uow.promotions.managed(None if me.is_admin else me.seller_id))
    return [PromotionDetails.from_domain(p) for p in found]
