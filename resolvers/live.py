"""Subscriptions: live order tracking over graphql-transport-ws.

Events come from this process's bus (adapters/live/bus.py), fed with every committed outbox event of
every process (adapters/live/feed.py). Each event is built from the state its outbox row carries
(domain/orders/event_state.py): the order, shipment and payment as that change left them, so every
event tells its own change and delivering it needs no database read. Rows of the older
payload shape (no `state`) are read fresh from the database instead. Either way the event is
filtered by what the subscriber may see: a seller gets only their own shipments of an order
and no payments. Fields the state does not carry (lines, buyer, history, ...) are loaded when
asked for (the socket's context lives long, so loaders are reset per event)."""
from __future__ import annotations

from typing import Any, AsyncGenerator

from graphql import GraphQLError
from strawberry.types import Info

from domain.orders.event_state import from_payload
from domain.ids import decode_pk
from adapters.live.bus import LiveEvent
from resolvers.common import ctx, viewer
from resolvers.orders import shown_order, visible_order
from schema.types.live import OrderEvent, ShipmentEvent
from schema.types.orders import Order, Payment
from schema.types.shipments import Shipment

ORDER_EVENT_TYPES = {
    "OrderCreated": "ORDER_STATUS_CHANGED",
    "OrderStatusChanged": "ORDER_STATUS_CHANGED",
    "PaymentSucceeded": "PAYMENT_STATUS_CHANGED",
    "PaymentFailed": "PAYMENT_STATUS_CHANGED",
    "ShipmentStatusChanged": "SHIPMENT_STATUS_CHANGED",
}


async def _order_event(info: Info, event: LiveEvent) -> OrderEvent | None:
    kind = ORDER_EVENT_TYPES.get(event.type)
    order_id = event.payload.get("orderId")
    if kind is None or order_id is None:
        return None
    ctx(info).reset_loaders()
    state = from_payload(event.payload)
    if state is None:
        return await _read_order_event(info, event, kind, int(order_id))
    me = await ctx(info).viewer()
    order = shown_order(me, state.order, state.seller_ids) if me is not None else None
    if order is None:
        return None
    seller_view = order._seller_view
    shipment = payment = None
    if kind == "SHIPMENT_STATUS_CHANGED":
        found = state.shipment
        if found is None or (seller_view is not None and found.seller_id != seller_view):
            return None
        shipment = Shipment.from_domain(found, order=state.order)
    elif kind == "PAYMENT_STATUS_CHANGED":
        if seller_view is not None or state.payment is None:
            return None
        payment = Payment.from_domain(state.payment, show_secret=order._owner_view,
                                      secret_unread=True)
    return OrderEvent(order=order, type=kind, status=order.status, shipment=shipment,
                      payment=payment, at=event.created_at)


async def _read_order_event(info: Info, event: LiveEvent, kind: str,
                            order_id: int) -> OrderEvent | None:
    """An outbox row written before events carried their state: read the order now."""
    order: Order | None = await visible_order(info, order_id)
    if order is None:
        return None
    seller_view = order._seller_view
    shipment = payment = None
    if kind == "SHIPMENT_STATUS_CHANGED":
        found = await ctx(info).loaders.shipment_by_id.load(int(event.payload["shipmentId"]))
        if found is None or (seller_view is not None and found.seller_id != seller_view):
            return None
        shipment = Shipment.from_domain(found)
    elif kind == "PAYMENT_STATUS_CHANGED":
        if seller_view is not None:
            return None
        found_payment = await ctx(info).runtime.read(
            lambda uow: uow.payments.get(int(event.payload["paymentId"])))
        assert found_payment is not None  # the event names a payment that exists
        payment = Payment.from_domain(found_payment, show_secret=order._owner_view)
    return OrderEvent(order=order, type=kind, status=order.status, shipment=shipment,
                      payment=payment, at=event.created_at)


async def _stream(info: Info, *topics: str) -> AsyncGenerator[OrderEvent, None]:
    """Events of changes committed after the subscription started (a client subscribes, then
    reads the current state); an event the feed delivers late is still delivered."""
    since = ctx(info).runtime.clock.now()
    async with ctx(info).runtime.bus.subscribe(*topics) as events:
        async for event in events:
            if event.created_at < since:
                continue
            pushed = await _order_event(info, event)
            if pushed is not None:
                yield pushed


async def order_updates(info: Info, order_id: str) -> AsyncGenerator[OrderEvent, None]:
    await viewer(info)
    pk = decode_pk(order_id, "Order")
    if await visible_order(info, pk) is None:
        raise GraphQLError("No such order.", extensions={"code": "NOT_FOUND"})
    async for pushed in _stream(info, f"order:{pk}"):
        yield pushed


async def my_order_updates(info: Info) -> AsyncGenerator[OrderEvent, None]:
    me = await viewer(info)
    async for pushed in _stream(info, f"buyer:{me.user_id}"):
        yield pushed


async def seller_shipment_updates(info: Info) -> AsyncGenerator[ShipmentEvent, None]:
    me = await viewer(info, "SELLER")
    since = ctx(info).runtime.clock.now()
    async with ctx(info).runtime.bus.subscribe(f"seller:{me.seller_id}") as events:
        async for event in events:
            if event.created_at < since:
                continue
            for shipment in await _seller_shipments(info, event, me.seller_id):
                yield ShipmentEvent(shipment=shipment, status=shipment.status,
                                    at=event.created_at)


async def _seller_shipments(info: Info, event: LiveEvent, seller_id: Any) -> list[Shipment]:
    """Shipments of this seller that the event created (OrderCreated) or changed."""
    ctx(info).reset_loaders()
    state = from_payload(event.payload)
    carried = None if state is None else (
        (state.shipment,) if event.type == "ShipmentStatusChanged" and state.shipment
        else state.shipments if event.type == "OrderCreated" else None)
    if state is not None and carried is not None:
        return [Shipment.from_domain(s, order=state.order) for s in carried
                if s.seller_id == seller_id]
    if event.type == "ShipmentStatusChanged":
        found = await ctx(info).loaders.shipment_by_id.load(int(event.payload["shipmentId"]))
        return [Shipment.from_domain(found)] if found and found.seller_id == seller_id else []
    if event.type == "OrderCreated":
        found_all = await ctx(info).loaders.shipments_by_order.load(
            int(event.payload["orderId"]))
        return [Shipment.from_domain(s) for s in found_all if s.seller_id == seller_id]
    return []
