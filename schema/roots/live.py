"""Subscriptions (graphql-transport-ws at /graphql)."""
from __future__ import annotations

from typing import AsyncGenerator

import strawberry
from strawberry.types import Info

from resolvers import live as r
from schema.types.live import OrderEvent, ShipmentEvent


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Every status change of one order the caller may see: "
                             "its status, its payments, its shipments.")
    async def order_updates(self, info: Info,
                            order_id: strawberry.ID) -> AsyncGenerator[OrderEvent, None]:
        async for event in r.order_updates(info, str(order_id)):
            yield event

    @strawberry.subscription(description="Every status change of any order of the signed-in "
                             "buyer.")
    async def my_order_updates(self, info: Info) -> AsyncGenerator[OrderEvent, None]:
        async for event in r.my_order_updates(info):
            yield event

    @strawberry.subscription(description="Seller: shipments assigned to them as they are "
                             "created or change.")
    async def seller_shipment_updates(self, info: Info) -> AsyncGenerator[ShipmentEvent, None]:
        async for event in r.seller_shipment_updates(info):
            yield event
