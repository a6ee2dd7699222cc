"""Fulfilment use cases (domain/fulfilment/shipments.py) over the fake unit of work."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain import events
from domain.errors import DomainError
from domain.fulfilment.shipments import (
    Actor,
    apply_carrier_update,
    mark_delivered,
    process_shipment,
)
from domain.fulfilment.shipments import ship_shipment
from tests.unit.fake_orders import seed_order
from tests.unit.fakes import FakeUnitOfWork

SELLER = Actor(seller_id=3)
SHIPMENT = 101


async def test_a_shipment_goes_processing_shipped_delivered_and_the_order_follows():
    uow = FakeUnitOfWork()
    order = seed_order(uow, status="CONFIRMED")
    await process_shipment(uow.port, actor=SELLER, shipment_id=SHIPMENT)
    assert uow.orders.orders[order.id].status == "PROCESSING"
    shipped = await ship_shipment(uow.port, actor=SELLER, shipment_id=SHIPMENT,
                                  carrier="DHL", tracking_number="1z 999")
    assert (shipped.status, shipped.carrier, shipped.shipped_at) == ("SHIPPED", "DHL",
                                                                     uow.now())
    assert uow.orders.orders[order.id].status == "SHIPPED"
    level = uow.inventory.levels[11]
    assert (level.total, level.allocated) == (8, 0)  # the units left stock
    await mark_delivered(uow.port, actor=SELLER, shipment_id=SHIPMENT)
    assert uow.orders.shipment_rows[SHIPMENT].status == "DELIVERED"
    assert uow.orders.orders[order.id].status == "DELIVERED"
    assert uow.commits == 3
    assert uow.outbox.types().count(events.SHIPMENT_STATUS_CHANGED) == 3


async def test_an_unpaid_orders_shipment_cannot_move():
    uow = FakeUnitOfWork()
    seed_order(uow, status="PENDING_PAYMENT")
    with pytest.raises(DomainError) as refused:
        await process_shipment(uow.port, actor=SELLER, shipment_id=SHIPMENT)
    assert refused.value.code == "INVALID_STATE_TRANSITION"
    assert uow.orders.shipment_rows[SHIPMENT].status == "PENDING"
    assert not uow.committed


async def test_only_the_shipments_seller_or_an_admin_may_move_it():
    uow = FakeUnitOfWork()
    seed_order(uow, status="CONFIRMED")
    with pytest.raises(DomainError) as refused:
        await process_shipment(uow.port, actor=Actor(seller_id=4), shipment_id=SHIPMENT)
    assert refused.value.code == "FORBIDDEN"
    await process_shipment(uow.port, actor=Actor(is_admin=True), shipment_id=SHIPMENT)
    assert uow.orders.shipment_rows[SHIPMENT].status == "PROCESSING"


async def test_a_pending_shipment_cannot_skip_processing():
    uow = FakeUnitOfWork()
    seed_order(uow, status="CONFIRMED")
    with pytest.raises(DomainError) as refused:
        await ship_shipment(uow.port, actor=SELLER, shipment_id=SHIPMENT, carrier="DHL",
                            tracking_number="T1")
    assert refused.value.code == "INVALID_STATE_TRANSITION"
    assert uow.inventory.levels[11].allocated == 2


async def test_a_tracking_number_is_used_once():
    uow = FakeUnitOfWork()
    seed_order(uow, status="CONFIRMED", shipment_status="PROCESSING")
    seed_order(uow, order_id=2, status="CONFIRMED", shipment_status="PROCESSING")
    await ship_shipment(uow.port, actor=SELLER, shipment_id=101, carrier="DHL",
                        tracking_number="T1")
    with pytest.raises(DomainError) as refused:
        await ship_shipment(uow.port, actor=SELLER, shipment_id=102, carrier="DHL",
                            tracking_number="t1")
    assert refused.value.code == "CONFLICT"
    assert uow.orders.shipment_rows[102].status == "PROCESSING"


async def test_carrier_reports_move_forward_only():
    uow = FakeUnitOfWork()
    order = seed_order(uow, status="CONFIRMED", shipment_status="PROCESSING")
    await ship_shipment(uow.port, actor=SELLER, shipment_id=SHIPMENT, carrier="DHL",
                        tracking_number="T1")
    moved = await apply_carrier_update(uow.port, tracking_number="T1", status="IN_TRANSIT",
                                       occurred_at=uow.now())
    assert moved.outcome == "APPLIED"
    older = await apply_carrier_update(uow.port, tracking_number="T1", status="SHIPPED",
                                       occurred_at=uow.now())
    assert older.outcome == "IGNORED"
    unknown = await apply_carrier_update(uow.port, tracking_number="NOPE",
                                         status="DELIVERED", occurred_at=uow.now())
    assert unknown.outcome == "UNKNOWN"
    uow.later(3600)
    await apply_carrier_update(uow.port, tracking_number="T1", status="DELIVERED",
                               occurred_at=uow.now() - timedelta(minutes=5))
    assert uow.orders.shipment_rows[SHIPMENT].status == "DELIVERED"
    assert uow.orders.orders[order.id].status == "DELIVERED"
