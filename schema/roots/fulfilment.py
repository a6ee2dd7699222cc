"""Root fields of fulfilment: sellers (and admins) move shipments."""
from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import fulfilment as r
from schema.types.shipments import ShipmentPayload


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Seller: starts work on one of their shipments "
                         "(PENDING -> PROCESSING).")
    async def shipment_process(self, info: Info, id: strawberry.ID) -> ShipmentPayload:
        return await r.shipment_process(info, str(id))

    @strawberry.mutation(description="Seller: hands a shipment to a carrier (-> SHIPPED).")
    async def shipment_ship(self, info: Info, id: strawberry.ID, carrier: str,
                            tracking_number: str) -> ShipmentPayload:
        return await r.shipment_ship(info, str(id), carrier, tracking_number)

    @strawberry.mutation(description="Seller or admin: marks delivery when no carrier webhook "
                         "does (-> DELIVERED).")
    async def shipment_mark_delivered(self, info: Info, id: strawberry.ID) -> ShipmentPayload:
        return await r.shipment_mark_delivered(info, str(id))
