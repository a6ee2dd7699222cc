"""Subscriptions: live order tracking over graphql-transport-ws (schema/live.py shapes them).

Events come from this process's bus (adapters/live/bus.py), fed with every committed outbox event of
every process (adapters/live/feed.py). Each event is built from the state its outbox row carries
(domain/orders/event_state.py): the order, shipment and payment as that change left them, so every
event tells its own change and delivering it needs no database read. Rows of the older
payload shape (no `state`) are read fresh from the database instead. Either way the event is
filtered by what the subscriber may see: a seller gets only their own shipments of an order
and no payments. Fields the state does not carry (lines, buyer, history, ...) are loaded when
asked for (the socket's context lives long, so loaders are fresh per event: `fresh()` gives
the caller with new loaders)."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import (Any, AsyncContextManager, AsyncGenerator, AsyncIterator, Callable,
                    Optional)

from adapters.live.bus import EventBus, LiveEvent
from domain.clock import Clock
from domain.orders.event_state import from_payload
from domain.ids import decode_pk
from domain.orders.model import Order, Payment, Shipment
from resolvers.caller import Caller
from resolvers.orders import ShownOrder, shown_order, visible_order

Fresh = Callable[[], Caller]
Admitted = Callable[[], AsyncContextManager[None]]  # waits for a turn to read


@contextlib.asynccontextmanager
async def _at_once() -> AsyncIterator[None]:
    yield

ORDER_EVENT_TYPES = {
    "OrderCreated": "ORDER_STATUS_CHANGED",
    "OrderStatusChanged": "ORDER_STATUS_CHANGED",
    "PaymentSucceeded": "PAYMENT_STATUS_CHANGED",
    "PaymentFailed": "PAYMENT_STATUS_CHANGED",
    "ShipmentStatusChanged": "SHIPMENT_STATUS_CHANGED",
}


class NoSuchOrder(LookupError):
    """The order does not exist or the caller may not see it (top-level NOT_FOUND)."""


@dataclass(frozen=True)
class ShownShipment:
    shipment: Shipment
    order: Optional[Order] = None  # the order as the event carried it


@dataclass(frozen=True)
class ShownPayment:
    payment: Payment
    show_secret: bool
    secret_unread: bool = False  # an event's payment does not carry the secret


@dataclass(frozen=True)
class OrderChange:
    order: ShownOrder
    kind: str  # ORDER_STATUS_CHANGED, PAYMENT_STATUS_CHANGED or SHIPMENT_STATUS_CHANGED
    at: datetime
    shipment: Optional[ShownShipment] = None
    payment: Optional[ShownPayment] = None
    event_id: Optional[int] = None  # its bus event (shared execution: schema/shared_events.py)


@dataclass(frozen=True)
class ShipmentChange:
    shipment: ShownShipment
    at: datetime
    event_id: Optional[int] = None  # its bus event (shared execution: schema/shared_events.py)


async def _order_event(caller: Caller, event: LiveEvent) -> OrderChange | None:
    kind = ORDER_EVENT_TYPES.get(event.type)
    order_id = event.payload.get("orderId")
    if kind is None or order_id is None:
        return None
    state = _state(event)
    if state is None:
        return await _read_order_event(caller, event, kind, int(order_id))
    me = await caller.viewer()
    # What one account may see of an event depends on the event and the account only: every
    # subscriber of that account gets the same change, derived once.
    key = ("order-change", me)
    if key not in event.derived:
        event.derived[key] = _shown_change(me, state, kind, event)
    return event.derived[key]  # type: ignore[no-any-return]


def _state(event: LiveEvent) -> Any:
    """The state the event carries, decoded once for all its subscribers."""
    if "state" not in event.derived:
        event.derived["state"] = from_payload(event.payload)
    return event.derived["state"]


def _shown_change(me: Any, state: Any, kind: str, event: LiveEvent) -> OrderChange | None:
    order = shown_order(me, state.order, state.seller_ids) if me is not None else None
    if order is None:
        return None
    seller_view = order.seller_view
    shipment = payment = None
    if kind == "SHIPMENT_STATUS_CHANGED":
        found = state.shipment
        if found is None or (seller_view is not None and found.seller_id != seller_view):
            return None
        shipment = ShownShipment(found, order=state.order)
    elif kind == "PAYMENT_STATUS_CHANGED":
        if seller_view is not None or state.payment is None:
            return None
        payment = ShownPayment(state.payment, show_secret=order.owner_view, secret_unread=True)
    return OrderChange(order=order, kind=kind, shipment=shipment, payment=payment,
                       at=event.created_at, event_id=event.id)


async def _read_order_event(caller: Caller, event: LiveEvent, kind: str,
                            order_id: int) -> OrderChange | None:
    """An outbox row written before events carried their state: read the order now."""
    order = await visible_order(caller, order_id)
    if order is None:
        return None
    seller_view = order.seller_view
    shipment = payment = None
    if kind == "SHIPMENT_STATUS_CHANGED":
        found = await caller.loaders.shipment_by_id.load(int(event.payload["shipmentId"]))
        if found is None or (seller_view is not None and found.seller_id != seller_view):
            return None
        shipment = ShownShipment(found)
    elif kind == "PAYMENT_STATUS_CHANGED":
        if seller_view is not None:
            return None
        found_payment = await caller.units.read(
            lambda uow: uow.payments.get(int(event.payload["paymentId"])))
        assert found_payment is not None  # the event names a payment that exists
        payment = ShownPayment(found_payment, show_secret=order.owner_view)
    return OrderChange(order=order, kind=kind, shipment=shipment, payment=payment,
                       at=event.created_at, event_id=event.id)


async def _stream(fresh: Fresh, bus: EventBus, clock: Clock,
                  *topics: str) -> AsyncGenerator[OrderChange, None]:
    """Events of changes committed after the subscription started (a client subscribes, then
    reads the current state); an event the feed delivers late is still delivered."""
    since = clock.now()
    async with bus.subscribe(*topics) as events:
        async for event in events:
            if event.created_at < since:
                continue
            pushed = await _order_event(fresh(), event)
            if pushed is not None:
                yield pushed


async def order_updates(caller: Caller, fresh: Fresh, bus: EventBus, clock: Clock,
                        order_id: str, admitted: Admitted = _at_once
                        ) -> AsyncGenerator[OrderChange, None]:
    async with admitted():  # subscribing reads in turn (adapters/live/admission.py)
        await caller.require()
        pk = decode_pk(order_id, "Order")
        visible = await visible_order(caller, pk)
    if visible is None:
        raise NoSuchOrder("No such order.")
    async for pushed in _stream(fresh, bus, clock, f"order:{pk}"):
        yield pushed


async def my_order_updates(caller: Caller, fresh: Fresh, bus: EventBus,
                           clock: Clock) -> AsyncGenerator[OrderChange, None]:
    me = await caller.require()
    async for pushed in _stream(fresh, bus, clock, f"buyer:{me.user_id}"):
        yield pushed


async def seller_shipment_updates(caller: Caller, fresh: Fresh, bus: EventBus,
                                  clock: Clock) -> AsyncGenerator[ShipmentChange, None]:
    me = await caller.require("SELLER")
    since = clock.now()
    async with bus.subscribe(f"seller:{me.seller_id}") as events:
        async for event in events:
            if event.created_at < since:
                continue
            for shipment in await _seller_shipments(fresh(), event, me.seller_id):
                yield ShipmentChange(shipment=shipment, at=event.created_at, event_id=event.id)


async def _seller_shipments(caller: Caller, event: LiveEvent,
                            seller_id: int | None) -> list[ShownShipment]:
    """Shipments of this seller that the event created (OrderCreated) or changed."""
    state = _state(event)
    carried = None if state is None else (
        (state.shipment,) if event.type == "ShipmentStatusChanged" and state.shipment
        else state.shipments if event.type == "OrderCreated" else None)
    if state is not None and carried is not None:
        return [ShownShipment(s, order=state.order) for s in carried
                if s.seller_id == seller_id]
    if event.type == "ShipmentStatusChanged":
        found = await caller.loaders.shipment_by_id.load(int(event.payload["shipmentId"]))
        return [ShownShipment(found)] if found and found.seller_id == seller_id else []
    if event.type == "OrderCreated":
        found_all = await caller.loaders.shipments_by_order.load(
            int(event.payload["orderId"]))
        return [ShownShipment(s) for s in found_all if s.seller_id == seller_id]
    return []
