"""Fulfilment, GraphQL side: sellers (and admins) move shipments with shipmentProcess,
shipmentShip and shipmentMarkDelivered (use cases in resolvers/fulfilment.py)."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

import strawberry
from strawberry.types import Info

from domain.orders.model import Shipment as DomainShipment
from resolvers import fulfilment as resolve
from schema.calls import caller, mutate
from schema.shipments import Shipment, ShipmentPayload


async def _moved(info: Info, move: Callable[[], Awaitable[DomainShipment]]) -> ShipmentPayload:
    async def run() -> dict[str, Any]:
        return {"shipment": Shipment.from_domain(await move())}

    return await mutate(info, ShipmentPayload, run)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Seller: starts work on one of their shipments "
                         "(PENDING -> PROCESSING).")
    async def shipment_process(self, info: Info, id: strawberry.ID) -> ShipmentPayload:
        return await _moved(info, lambda: resolve.shipment_process(caller(info), str(id)))

    @strawberry.mutation(description="Seller: hands a shipment to a carrier (-> SHIPPED).")
    async def shipment_ship(self, info: Info, id: strawberry.ID, carrier: str,
                            tracking_number: str) -> ShipmentPayload:
        return await _moved(info, lambda: resolve.shipment_ship(
            caller(info), str(id), carrier, tracking_number))

    @strawberry.mutation(description="Seller or admin: marks delivery when no carrier webhook "
                         "does (-> DELIVERED).")
    async def shipment_mark_delivered(self, info: Info, id: strawberry.ID) -> ShipmentPayload:
        return await _moved(info, lambda: resolve.shipment_mark_delivered(caller(info), str(id)))
