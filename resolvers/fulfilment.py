"""Fulfilment mutations: a seller (their own shipments) or an admin moves a shipment.

Any signed-in user may call them (anonymous: UNAUTHENTICATED); a buyer, or a seller naming
another seller's shipment, gets FORBIDDEN in `userErrors` from the use case."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from strawberry.types import Info

from domain.identity.viewer import Viewer
from domain.fulfilment import shipments as fulfilment
from domain.ids import decode_pk
from domain.orders.model import Shipment as DomainShipment
from resolvers.common import ctx, mutate, viewer
from schema.types.shipments import Shipment, ShipmentPayload

UseCase = Callable[[Any, fulfilment.Actor, int | None], Awaitable[DomainShipment]]


def actor(me: Viewer) -> fulfilment.Actor:
    return fulfilment.Actor(seller_id=me.seller_id if me.is_seller else None,
                            is_admin=me.is_admin)


async def _move(info: Info, id: str, use_case: UseCase) -> ShipmentPayload:
    me = await viewer(info)
    shipment_id = decode_pk(id, "Shipment")

    async def run() -> dict[str, Any]:
        moved = await ctx(info).runtime.transaction(
            lambda uow: use_case(uow, actor(me), shipment_id))
        return {"shipment": Shipment.from_domain(moved)}

    return await mutate(info, ShipmentPayload, run)


async def shipment_process(info: Info, id: str) -> ShipmentPayload:
    return await _move(info, id, lambda uow, who, pk: fulfilment.process_shipment(
        uow, actor=who, shipment_id=pk))


async def shipment_ship(info: Info, id: str, carrier: str,
                        tracking_number: str) -> ShipmentPayload:
    return await _move(info, id, lambda uow, who, pk: fulfilment.ship_shipment(
        uow, actor=who, shipment_id=pk, carrier=carrier, tracking_number=tracking_number))


async def shipment_mark_delivered(info: Info, id: str) -> ShipmentPayload:
    return await _move(info, id, lambda uow, who, pk: fulfilment.mark_delivered(
        uow, actor=who, shipment_id=pk))
