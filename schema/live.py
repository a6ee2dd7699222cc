"""Subscriptions (graphql-transport-ws at /graphql), GraphQL side: OrderEvent, ShipmentEvent
and the subscription roots orderUpdates, myOrderUpdates, sellerShipmentUpdates. Which events a
subscriber gets, and what of them, is resolvers/live.py's."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import AsyncGenerator, Optional

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from adapters.live.admission import gate_for
from resolvers import live as resolve
from resolvers.caller import Caller
from schema.calls import caller, context

from schema.orders import Order, OrderStatus, shown
from schema.payments import Payment
from schema.shipments import Shipment, ShipmentStatus


@strawberry.type
class OrderEvent:
    order: Order
    type: str = strawberry.field(
        description="ORDER_STATUS_CHANGED, PAYMENT_STATUS_CHANGED or SHIPMENT_STATUS_CHANGED.")
    status: OrderStatus
    shipment: Optional[Shipment]
    payment: Optional[Payment]
    at: datetime
    # Subscribers of one group share this event's execution (schema/shared_events.py).
    fanout_event_id: strawberry.Private[Optional[int]] = None


@strawberry.type
class ShipmentEvent:
    shipment: Shipment
    status: ShipmentStatus
    at: datetime
    # (event, shipment): one event may tell several shipments of a seller, each its own result
    fanout_event_id: strawberry.Private[Optional[tuple[int, int]]] = None


def _shipment(found: resolve.ShownShipment) -> Shipment:
    return Shipment.from_domain(found.shipment, order=found.order)


# The OrderEvent of recent changes: subscribers of one account get the same change object per
# event (resolvers/live.py), so its GraphQL object is built once for all of them.
_BUILT: "OrderedDict[int, tuple[resolve.OrderChange, OrderEvent]]" = OrderedDict()
_BUILT_SIZE = 512


def _order_event(change: resolve.OrderChange) -> OrderEvent:
    found = _BUILT.get(id(change))
    if found is not None and found[0] is change:
        return found[1]
    built = _build_order_event(change)
    _BUILT[id(change)] = (change, built)  # keeps `change` alive: its id is not reused
    while len(_BUILT) > _BUILT_SIZE:
        _BUILT.popitem(last=False)
    return built


def _build_order_event(change: resolve.OrderChange) -> OrderEvent:
    order = shown(change.order)
    assert order is not None
    payment = change.payment
    return OrderEvent(
        order=order, type=change.kind, status=order.status,
        shipment=_shipment(change.shipment) if change.shipment else None,
        payment=Payment.from_domain(payment.payment, show_secret=payment.show_secret,
                                    secret_unread=payment.secret_unread) if payment else None,
        at=change.at, fanout_event_id=change.event_id)


def _fresh(info: Info) -> resolve.Fresh:
    """The caller with new loaders: the socket's context lives long, rows change meanwhile."""

    def fresh() -> Caller:
        context(info).reset_loaders()
        return caller(info)

    return fresh


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Every status change of one order the caller may see: "
                             "its status, its payments, its shipments.")
    async def order_updates(self, info: Info,
                            order_id: strawberry.ID) -> AsyncGenerator[OrderEvent, None]:
        runtime = context(info).runtime
        changes = resolve.order_updates(caller(info), _fresh(info), runtime.bus, runtime.clock,
                                        str(order_id), gate_for(runtime).admitted)
        try:
            async for change in changes:
                yield _order_event(change)
        except resolve.NoSuchOrder as exc:
            raise GraphQLError(str(exc), extensions={"code": "NOT_FOUND"}) from exc

    @strawberry.subscription(description="Every status change of any order of the signed-in "
                             "buyer.")
    async def my_order_updates(self, info: Info) -> AsyncGenerator[OrderEvent, None]:
        runtime = context(info).runtime
        async for change in resolve.my_order_updates(caller(info), _fresh(info), runtime.bus,
                                                     runtime.clock):
            yield _order_event(change)

    @strawberry.subscription(description="Seller: shipments assigned to them as they are "
                             "created or change.")
    async def seller_shipment_updates(self, info: Info) -> AsyncGenerator[ShipmentEvent, None]:
        runtime = context(info).runtime
        async for change in resolve.seller_shipment_updates(caller(info), _fresh(info),
                                                            runtime.bus, runtime.clock):
            shipment = _shipment(change.shipment)
            yield ShipmentEvent(
                shipment=shipment, status=shipment.status, at=change.at,
                fanout_event_id=None if change.event_id is None else (
                    change.event_id, change.shipment.shipment.id))
