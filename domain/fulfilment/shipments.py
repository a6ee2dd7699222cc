"""Fulfilment: moving a seller's shipment through its states, and the order following them.

Shipment (docs/rules.md, Fulfilment): PENDING -> PROCESSING -> SHIPPED (carrier and tracking
number) -> IN_TRANSIT -> DELIVERED; SHIPPED -> DELIVERED directly too (a carrier may never
report IN_TRANSIT, and shipmentMarkDelivered exists for when no carrier reports at all).
CANCELLED only happens with the order (order cancellation, not here). Any other move is
INVALID_STATE_TRANSITION.

Rules written down here (docs/rules.md is silent on them):
- Only the owning seller or an admin moves a shipment. A buyer is FORBIDDEN; another seller's
  shipment is FORBIDDEN (checked before anything is read or changed); an unknown id is
  NOT_FOUND.
- A shipment is processed or shipped only while its order is paid and still being fulfilled
  (CONFIRMED, PROCESSING, PARTIALLY_SHIPPED). An order still PENDING_PAYMENT, or CANCELLED or
  REFUNDED, is INVALID_STATE_TRANSITION. Delivery (by hand or by carrier) follows the parcel,
  whatever happened to the order since it left.
- Carrier: at most 60 characters, tracking number at most 100, both non-blank after trimming
  (INVALID_INPUT). Tracking numbers are kept without whitespace and in upper case
  (normalise_tracking_number). A tracking number identifies one shipment across the
  marketplace (carrier webhooks name only the tracking number): reusing one, in any case or
  spacing, is CONFLICT.
- Shipping takes the shipment's allocated units out of stock (allocated -> sold, total
  decreases) for each of the order's lines of that seller, in the same transaction.
- The order is locked first, so two sellers shipping at once are serialised per order and the
  second derives the order status from the first one's committed shipment.
- After each change the order status is derived from its shipments (`order_status_steps`);
  the order only moves forward, one legal transition (ORDER_TRANSITIONS) per history row.
- Carrier updates (`apply_carrier_update`) only move a shipment forward along
  SHIPPED < IN_TRANSIT < DELIVERED: a repeated or older (out-of-order) update changes nothing.
  A carrier's DELIVERED sets deliveredAt to the carrier's occurredAt (not later than now, not
  earlier than shippedAt).
- Events: ShipmentStatusChanged on every shipment change, OrderStatusChanged on every order
  move, in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable

from domain import events
from domain.errors import DomainError, ErrorList, conflict, forbidden, invalid, not_found
from domain.orders.event_state import state_payload
from domain.orders.model import ORDER_TRANSITIONS, Order, OrderStatus, Shipment, ShipmentStatus

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

_S, _O = ShipmentStatus, OrderStatus
SHIPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    _S.PENDING: frozenset({_S.PROCESSING, _S.CANCELLED}),
    _S.PROCESSING: frozenset({_S.SHIPPED, _S.CANCELLED}),
    _S.SHIPPED: frozenset({_S.IN_TRANSIT, _S.DELIVERED}),
    _S.IN_TRANSIT: frozenset({_S.DELIVERED}),
    _S.DELIVERED: frozenset(),
    _S.CANCELLED: frozenset(),
}
# Orders whose shipments may still be processed or shipped: paid and not yet all shipped.
SHIPPABLE_ORDER_STATUSES = frozenset({_O.CONFIRMED, _O.PROCESSING, _O.PARTIALLY_SHIPPED})
# Order statuses that follow the shipments, in the only order they are passed through.
_FULFILMENT_RANK: dict[str, int] = {_O.CONFIRMED: 0, _O.PROCESSING: 1, _O.PARTIALLY_SHIPPED: 2,
                                     _O.SHIPPED: 3, _O.DELIVERED: 4}
_HANDED_TO_CARRIER = frozenset({_S.SHIPPED, _S.IN_TRANSIT, _S.DELIVERED})
# What a carrier may report, in the order a parcel goes through them.
CARRIER_RANK: dict[str, int] = {_S.SHIPPED: 0, _S.IN_TRANSIT: 1, _S.DELIVERED: 2}
MAX_CARRIER = 60
MAX_TRACKING_NUMBER = 100


class TrackingNumberTaken(Exception):
    """Raised by the repository when the unique tracking number is already used (a race the
    read-before-write check did not see)."""


@dataclass(frozen=True)
class Actor:
    """Who moves a shipment: a seller (their seller id), an admin, or a carrier webhook."""

    seller_id: int | None = None
    is_admin: bool = False
    is_carrier: bool = False


CARRIER = Actor(is_carrier=True)


@dataclass(frozen=True)
class CarrierResult:
    """What a carrier update did: APPLIED, IGNORED (repeated, stale or not applicable) or
    UNKNOWN (no shipment has this tracking number)."""

    outcome: str
    shipment: Shipment | None = None


# --------------------------------------------------------------------------- pure rules

def check_shipment_transition(current: str, new: str) -> None:
    if new not in SHIPMENT_TRANSITIONS.get(current, frozenset()):
        raise DomainError("INVALID_STATE_TRANSITION",
                          f"A shipment that is {current} cannot become {new}.")


def derived_order_status(current: str, shipment_statuses: Iterable[str]) -> str:
    """The status the order should have given its shipments (docs/rules.md, Orders): DELIVERED
    when every (non-cancelled) shipment is delivered; SHIPPED when every one is SHIPPED or
    later; PARTIALLY_SHIPPED when some are; PROCESSING when any is PROCESSING; otherwise
    unchanged. Orders outside fulfilment (PENDING_PAYMENT, CANCELLED, REFUNDED) never move,
    and an order never moves backwards."""
    if current not in _FULFILMENT_RANK:
        return current
    active = [s for s in shipment_statuses if s != ShipmentStatus.CANCELLED]
    if not active:
        return current
    handed = sum(1 for s in active if s in _HANDED_TO_CARRIER)
    if all(s == ShipmentStatus.DELIVERED for s in active):
        target = OrderStatus.DELIVERED
    elif handed == len(active):
        target = OrderStatus.SHIPPED
    elif handed:
        target = OrderStatus.PARTIALLY_SHIPPED
    elif any(s == ShipmentStatus.PROCESSING for s in active):
        target = OrderStatus.PROCESSING
    else:
        target = OrderStatus.CONFIRMED
    return target if _FULFILMENT_RANK[target] > _FULFILMENT_RANK[current] else current


def order_status_steps(current: str, shipment_statuses: Iterable[str]) -> list[str]:
    """The statuses the order passes through to reach `derived_order_status`, each a legal
    move of ORDER_TRANSITIONS (DELIVERED is only reached from SHIPPED); [] when it stays."""
    target = derived_order_status(current, shipment_statuses)
    if target == current:
        return []
    if target in ORDER_TRANSITIONS[current]:
        return [target]
    return [OrderStatus.SHIPPED, target]  # only DELIVERED is not reachable directly


def normalise_tracking_number(value: str) -> str:
    """The one form tracking numbers are stored, compared and looked up in: without any
    whitespace, upper case (docs/rules.md, "Webhook content"), so " 1z abc 123 " is the
    same parcel as "1ZABC123" for uniqueness and for carrier reports."""
    return "".join(value.split()).upper()


def clean_carrier_details(carrier: str, tracking_number: str) -> tuple[str, str]:
    """Trimmed carrier and normalised tracking number, or INVALID_INPUT naming every bad
    field."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if tracking_number.isprintable():  # control characters are refused below, not removed
        tracking_number = normalise_tracking_number(tracking_number)
    problems = []
    for value, name, limit, label in ((carrier, "carrier", MAX_CARRIER, "The carrier"),
                                      (tracking_number, "trackingNumber", MAX_TRACKING_NUMBER,
                                       "The tracking number")):
        if not value:
            problems.append(invalid(f"{label} is required.", name))
        elif len(value) > limit:
            problems.append(invalid(f"{label} must be at most {limit} characters.", name))
        elif not value.isprintable():
            problems.append(invalid(f"{label} contains control characters.", name))
    if problems:
        raise ErrorList(problems)
    return carrier, tracking_number


def carrier_delivery_time(occurred_at: datetime, now: datetime,
                          shipped_at: datetime | None) -> datetime:
    """deliveredAt from a carrier report: when it happened, but never in the future and
    never before the parcel was shipped."""
    at = min(occurred_at, now)
    return max(at, shipped_at) if shipped_at is not None else at


def _authorise(actor: Actor, shipment: Shipment) -> None:
    if actor.is_admin or actor.is_carrier:
        return
    if actor.seller_id is None or actor.seller_id != shipment.seller_id:
        raise forbidden("Only the seller of this shipment or an admin can change it.", "id")


# --------------------------------------------------------------------------- use cases

async def process_shipment(uow: UnitOfWork, *, actor: Actor, shipment_id: int | None) -> Shipment:
    """PENDING -> PROCESSING: the seller starts work on it."""
    shipment, order = await _load(uow, actor, shipment_id)
    _require_shippable(order)
    check_shipment_transition(shipment.status, ShipmentStatus.PROCESSING)
    return await _finish(uow, order, shipment, ShipmentStatus.PROCESSING, uow.now())


async def ship_shipment(uow: UnitOfWork, *, actor: Actor, shipment_id: int | None, carrier: str,
                        tracking_number: str) -> Shipment:
    """PROCESSING -> SHIPPED with a carrier and a unique tracking number; the shipment's
    allocated units leave stock."""
    _require_role(actor)
    carrier, tracking_number = clean_carrier_details(carrier, tracking_number)
    shipment, order = await _load(uow, actor, shipment_id)
    _require_shippable(order)
    check_shipment_transition(shipment.status, ShipmentStatus.SHIPPED)
    taken = await uow.shipments.by_tracking_number(tracking_number)
    if taken is not None:
        raise _tracking_taken()
    now = uow.now()
    for line in await uow.orders.lines(order.id, order.currency):
        if line.seller_id != shipment.seller_id or line.variant_id is None:
            continue
        if await uow.inventory.ship(line.variant_id, line.quantity) is None:
            raise conflict(f"The stock held for {line.product_name} is missing; it cannot "
                           "be shipped.")
    return await _finish(uow, order, shipment, ShipmentStatus.SHIPPED, now, carrier=carrier,
                         tracking_number=tracking_number, shipped_at=now)


async def mark_delivered(uow: UnitOfWork, *, actor: Actor, shipment_id: int | None) -> Shipment:
    """SHIPPED or IN_TRANSIT -> DELIVERED, when no carrier webhook reports it."""
    shipment, order = await _load(uow, actor, shipment_id)
    check_shipment_transition(shipment.status, ShipmentStatus.DELIVERED)
    now = uow.now()
    return await _finish(uow, order, shipment, ShipmentStatus.DELIVERED, now, delivered_at=now)


async def apply_carrier_update(uow: UnitOfWork, *, tracking_number: str, status: str,
                               occurred_at: datetime) -> CarrierResult:
    """A carrier's report (already authenticated): moves the shipment forward to IN_TRANSIT
    or DELIVERED; SHIPPED, a repeat, or an older report than the shipment's state is
    IGNORED; an unknown tracking number is UNKNOWN. Commits."""
    if status not in CARRIER_RANK:
        raise invalid("A carrier may report SHIPPED, IN_TRANSIT or DELIVERED.", "status")
    found = await uow.shipments.by_tracking_number(normalise_tracking_number(tracking_number))
    if found is None:
        await uow.commit()
        return CarrierResult("UNKNOWN")
    shipment, order = await _load(uow, CARRIER, found.id)
    current = CARRIER_RANK.get(shipment.status)
    if current is None or CARRIER_RANK[status] <= current:
        await uow.commit()
        return CarrierResult("IGNORED", shipment)
    now = uow.now()
    values: dict[str, Any] = {}
    if status == ShipmentStatus.DELIVERED:
        values["delivered_at"] = carrier_delivery_time(occurred_at, now, shipment.shipped_at)
    updated = await _finish(uow, order, shipment, status, now, **values)
    return CarrierResult("APPLIED", updated)


# --------------------------------------------------------------------------- steps

def _require_role(actor: Actor) -> None:
    if not (actor.is_admin or actor.is_carrier or actor.seller_id is not None):
        raise forbidden("Only sellers and admins can change shipments.")


def _require_shippable(order: Order) -> None:
    if order.status not in SHIPPABLE_ORDER_STATUSES:
        reason = ("is not paid yet" if order.status == OrderStatus.PENDING_PAYMENT
                  else f"is {order.status}")
        raise DomainError("INVALID_STATE_TRANSITION",
                          f"Order {order.number} {reason}; its shipments cannot move.")


def _tracking_taken() -> DomainError:
    return conflict("This tracking number is already used by another shipment.",
                    "trackingNumber")


async def _load(uow: UnitOfWork, actor: Actor, shipment_id: int | None) -> tuple[Shipment, Order]:
    """The shipment, checked against the actor, and its order, locked; then the shipment
    read again under that lock (its state may have moved while we waited)."""
    _require_role(actor)
    shipment = await uow.shipments.get(shipment_id) if shipment_id is not None else None
    if shipment is None:
        raise not_found("No such shipment.", "id")
    _authorise(actor, shipment)
    order = await uow.orders.get(shipment.order_id, lock=True)
    assert order is not None
    current = await uow.shipments.get(shipment.id, lock=True)
    assert current is not None
    return current, order


async def _finish(uow: UnitOfWork, order: Order, shipment: Shipment, new: str, now: datetime,
                  **values: Any) -> Shipment:
    """Moves the shipment (conditionally on its state), records the event, lets the order
    follow, commits."""
    try:
        updated = await uow.shipments.change_status(shipment.id, shipment.status, new, now,
                                                    **values)
    except TrackingNumberTaken:
        raise _tracking_taken() from None
    if updated is None:
        raise DomainError("INVALID_STATE_TRANSITION",
                          "This shipment changed meanwhile; reload it and try again.")
    await uow.outbox.add(events.SHIPMENT_STATUS_CHANGED, "Shipment", updated.id, {
        "shipmentId": updated.id, "orderId": order.id, "sellerId": updated.seller_id,
        "buyerId": order.buyer_id, "from": shipment.status, "status": updated.status,
        "carrier": updated.carrier, "trackingNumber": updated.tracking_number,
        "state": state_payload(order, shipment=updated)}, now)
    await _follow(uow, order, now)
    await uow.commit()
    return updated


async def _follow(uow: UnitOfWork, order: Order, now: datetime) -> None:
    """The order takes the status its shipments imply, one recorded step at a time."""
    statuses = [s.status for s in await uow.shipments.for_order(order.id)]
    current = order.status
    for step in order_status_steps(current, statuses):
        if not await uow.orders.change_status(order.id, current, step, now):
            return  # the order moved meanwhile (it is locked, so this is defensive only)
        await uow.outbox.add(events.ORDER_STATUS_CHANGED, "Order", order.id, {
            "orderId": order.id, "buyerId": order.buyer_id, "from": current, "to": step,
            "state": state_payload(replace(order, status=step))}, now)
        current = step
