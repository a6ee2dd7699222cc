"""The state an order event carries (docs/rules.md "Live events carry their own state").

Every outbox row of an order, shipment or payment change gets a `state` entry in its payload,
written in the transaction of the change: the order as that change left it, the shipment or
payment it changed, and the sellers of the order (who may see it). Subscriptions build the
pushed event from it, so each event tells its own change (not the state at delivery time)
and delivering one event to any number of subscribers needs no database read.

Within one transaction the events are in the order the changes happened: a shipment event
shows the order before the order followed its shipments; the ORDER_STATUS_CHANGED events of
that following come right after it, each with its own step. Rows written before this payload
shape have no `state`; readers fall back to reading the order (`from_payload` -> None).

The payment's client secret is not copied into the outbox (it is read when asked for)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Iterable, Mapping, TypeVar

from domain.orders.model import Order, Payment, Shipment

VERSION = 1
_NOT_CARRIED = {Order: ("history",), Payment: ("client_secret",), Shipment: ()}
T = TypeVar("T", Order, Payment, Shipment)


@dataclass(frozen=True)
class EventState:
    order: Order
    seller_ids: tuple[int, ...]
    shipment: Shipment | None = None
    payment: Payment | None = None
    shipments: tuple[Shipment, ...] | None = None  # OrderCreated: the order's new shipments


def sellers_of(order: Order) -> tuple[int, ...]:
    """The order's sellers (one shipment each), from the pricing the order kept."""
    return tuple(sorted({int(s["seller_id"]) for s in order.pricing_detail.get("sellers", ())}))


def state_payload(order: Order, *, shipment: Shipment | None = None,
                  payment: Payment | None = None,
                  shipments: Iterable[Shipment] | None = None) -> dict[str, Any]:
    """The `state` entry of an outbox payload (JSON-ready)."""
    state: dict[str, Any] = {"v": VERSION, "order": _encode(order),
                             "sellerIds": list(sellers_of(order))}
    if shipment is not None:
        state["shipment"] = _encode(shipment)
    if payment is not None:
        state["payment"] = _encode(payment)
    if shipments is not None:
        state["shipments"] = [_encode(s) for s in shipments]
    return state


def from_payload(payload: Mapping[str, Any]) -> EventState | None:
    """The carried state, or None for a row of the older shape (or an unknown version)."""
    state = payload.get("state")
    if not isinstance(state, Mapping) or state.get("v") != VERSION:
        return None
    shipments = state.get("shipments")
    return EventState(
        order=_decode(Order, state["order"]),
        seller_ids=tuple(int(s) for s in state.get("sellerIds") or ()),
        shipment=_decode(Shipment, state["shipment"]) if state.get("shipment") else None,
        payment=_decode(Payment, state["payment"]) if state.get("payment") else None,
        shipments=None if shipments is None else tuple(_decode(Shipment, s)
                                                       for s in shipments))


def _encode(value: Order | Payment | Shipment) -> dict[str, Any]:
    skipped = _NOT_CARRIED[type(value)]
    return {f.name: _json(getattr(value, f.name)) for f in fields(value)
            if f.name not in skipped}


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _decode(cls: type[T], data: Mapping[str, Any]) -> T:
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in _NOT_CARRIED[cls]:
            continue
        value = data.get(f.name)
        if isinstance(value, str) and "datetime" in str(f.type):
            value = datetime.fromisoformat(value)
        values[f.name] = value
    if cls is Payment:
        values["client_secret"] = None
    return cls(**values)
