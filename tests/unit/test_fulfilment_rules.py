"""Fulfilment rules without a database: shipment moves, the order status its shipments imply,
carrier details and the carrier's delivery time."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from domain.errors import DomainError, ErrorList
from domain.fulfilment.shipments import (
    carrier_delivery_time,
    check_shipment_transition,
    clean_carrier_details,
    derived_order_status,
    order_status_steps,
)
from domain.orders.model import ORDER_TRANSITIONS

SHIPMENT_STATES = ("PENDING", "PROCESSING", "SHIPPED", "IN_TRANSIT", "DELIVERED", "CANCELLED")


@pytest.mark.parametrize("current, shipments, expected", [
    ("CONFIRMED", ["PENDING", "PENDING"], "CONFIRMED"),
    ("CONFIRMED", ["PROCESSING", "PENDING"], "PROCESSING"),
    ("PROCESSING", ["PROCESSING", "PROCESSING"], "PROCESSING"),
    ("PROCESSING", ["SHIPPED", "PROCESSING"], "PARTIALLY_SHIPPED"),
    ("PROCESSING", ["SHIPPED", "PENDING"], "PARTIALLY_SHIPPED"),
    ("PARTIALLY_SHIPPED", ["DELIVERED", "PROCESSING"], "PARTIALLY_SHIPPED"),
    ("PARTIALLY_SHIPPED", ["IN_TRANSIT", "SHIPPED"], "SHIPPED"),
    ("SHIPPED", ["DELIVERED", "IN_TRANSIT"], "SHIPPED"),
    ("SHIPPED", ["DELIVERED", "DELIVERED"], "DELIVERED"),
    ("PROCESSING", ["SHIPPED"], "SHIPPED"),
    # cancelled shipments do not count
    ("PROCESSING", ["SHIPPED", "CANCELLED"], "SHIPPED"),
    ("SHIPPED", ["DELIVERED", "CANCELLED"], "DELIVERED"),
    ("CONFIRMED", ["CANCELLED"], "CONFIRMED"),
    ("CONFIRMED", [], "CONFIRMED"),
])
def test_order_follows_its_shipments(current: str, shipments: list[str],
                                     expected: str) -> None:
    assert derived_order_status(current, shipments) == expected


@pytest.mark.parametrize("current", ["PENDING_PAYMENT", "CANCELLED", "REFUNDED", "DELIVERED"])
def test_orders_outside_fulfilment_never_move(current: str) -> None:
    for shipments in (["PROCESSING"], ["SHIPPED", "PENDING"], ["DELIVERED"]):
        assert derived_order_status(current, shipments) == current
        assert order_status_steps(current, shipments) == []


def test_an_order_never_moves_backwards() -> None:
    assert derived_order_status("PARTIALLY_SHIPPED", ["PROCESSING", "PROCESSING"]) == (
        "PARTIALLY_SHIPPED")
    assert derived_order_status("SHIPPED", ["SHIPPED", "PROCESSING"]) == "SHIPPED"
    assert derived_order_status("PROCESSING", ["PENDING"]) == "PROCESSING"


def test_steps_are_legal_transitions_and_end_at_the_derived_status() -> None:
    """Every combination of two or three shipments from every fulfilment status."""
    for current in ("CONFIRMED", "PROCESSING", "PARTIALLY_SHIPPED", "SHIPPED"):
        for n in (1, 2, 3):
            for shipments in itertools.product(SHIPMENT_STATES, repeat=n):
                steps = order_status_steps(current, shipments)
                target = derived_order_status(current, shipments)
                assert (steps[-1] if steps else current) == target
                previous = current
                for step in steps:
                    assert step in ORDER_TRANSITIONS[previous], (current, shipments, steps)
                    previous = step


def test_delivered_is_reached_through_shipped() -> None:
    assert order_status_steps("PARTIALLY_SHIPPED", ["DELIVERED", "DELIVERED"]) == [
        "SHIPPED", "DELIVERED"]
    assert order_status_steps("SHIPPED", ["DELIVERED"]) == ["DELIVERED"]
    assert order_status_steps("CONFIRMED", ["PROCESSING"]) == ["PROCESSING"]


@pytest.mark.parametrize("current, new", [
    ("PENDING", "PROCESSING"), ("PROCESSING", "SHIPPED"), ("SHIPPED", "IN_TRANSIT"),
    ("SHIPPED", "DELIVERED"), ("IN_TRANSIT", "DELIVERED"), ("PENDING", "CANCELLED"),
    ("PROCESSING", "CANCELLED"),
])
def test_legal_shipment_moves(current: str, new: str) -> None:
    check_shipment_transition(current, new)


@pytest.mark.parametrize("current, new", [
    ("PENDING", "SHIPPED"), ("PENDING", "DELIVERED"), ("PROCESSING", "PROCESSING"),
    ("PROCESSING", "DELIVERED"), ("SHIPPED", "PROCESSING"), ("IN_TRANSIT", "SHIPPED"),
    ("DELIVERED", "IN_TRANSIT"), ("DELIVERED", "DELIVERED"), ("CANCELLED", "PROCESSING"),
    ("SHIPPED", "CANCELLED"),
])
def test_illegal_shipment_moves(current: str, new: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_shipment_transition(current, new)
    assert caught.value.code == "INVALID_STATE_TRANSITION"


def test_carrier_details_are_trimmed_and_bounded() -> None:
    assert clean_carrier_details("  UPS ", " 1Z999 ") == ("UPS", "1Z999")
    with pytest.raises(ErrorList) as caught:
        clean_carrier_details("   ", "x" * 101)
    assert [(e.code, e.field) for e in caught.value.errors] == [
        ("INVALID_INPUT", ["carrier"]), ("INVALID_INPUT", ["trackingNumber"])]
    with pytest.raises(ErrorList):
        clean_carrier_details("c" * 61, "T1")
    with pytest.raises(ErrorList):
        clean_carrier_details("UPS", "T1\nT2")
    # tracking numbers are upper case (docs/rules.md, "Webhook content")
    assert clean_carrier_details("c" * 60, "t" * 100) == ("c" * 60, "T" * 100)


def test_carrier_delivery_time_is_bounded_by_shipping_and_now() -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=timezone.utc)
    shipped = now - timedelta(days=2)
    assert carrier_delivery_time(now - timedelta(hours=3), now, shipped) == now - timedelta(
        hours=3)
    assert carrier_delivery_time(now + timedelta(hours=3), now, shipped) == now
    assert carrier_delivery_time(shipped - timedelta(days=1), now, shipped) == shipped
    assert carrier_delivery_time(now - timedelta(hours=1), now, None) == now - timedelta(
        hours=1)
