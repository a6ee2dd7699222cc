"""Fulfilment: a seller (their own shipments) or an admin moves a shipment.

Any signed-in user may call them (anonymous: AuthenticationRequired); a buyer, or a seller
naming another seller's shipment, gets FORBIDDEN (a DomainError) from the use case."""
from __future__ import annotations

from typing import Awaitable, Callable

from domain.fulfilment import shipments as fulfilment
from domain.identity.viewer import Viewer
from domain.ids import decode_pk
from domain.orders.model import Shipment
from domain.ports import UnitOfWork
from resolvers.caller import Caller

UseCase = Callable[[UnitOfWork, fulfilment.Actor, int | None], Awaitable[Shipment]]


def actor(me: Viewer) -> fulfilment.Actor:
    return fulfilment.Actor(seller_id=me.seller_id if me.is_seller else None,
                            is_admin=me.is_admin)


async def _move(caller: Caller, id: str, use_case: UseCase) -> Shipment:
    me = await caller.require()
    shipment_id = decode_pk(id, "Shipment")
    return await caller.units.transaction(lambda uow: use_case(uow, actor(me), shipment_id))


async def shipment_process(caller: Caller, id: str) -> Shipment:
    return await _move(caller, id, lambda uow, who, pk: fulfilment.process_shipment(
        uow, actor=who, shipment_id=pk))


async def shipment_ship(caller: Caller, id: str, carrier: str, tracking_number: str) -> Shipment:
    return await _move(caller, id, lambda uow, who, pk: fulfilment.ship_shipment(
        uow, actor=who, shipment_id=pk, carrier=carrier, tracking_number=tracking_number))


async def shipment_mark_delivered(caller: Caller, id: str) -> Shipment:
    return await _move(caller, id, lambda uow, who, pk: fulfilment.mark_delivered(
        uow, actor=who, shipment_id=pk))
