"""Fulfilment through the API: sellers (and admins) move their shipments, stock leaves on
shipping, the order follows its shipments, and carriers report through a signed webhook."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from domain.fulfilment.shipments import TrackingNumberTaken
from domain.ids import encode_id
from persistence.tables import outbox, shipments
from tests.support.factories import Account, make_account, reissue
from tests.support.fulfilment import (
    PROCESS,
    SHIPMENT_FIELDS,
    deliver_shipment,
    paid_order,
    process_shipment,
    ship_shipment,
    sign_carrier_report,
)
from tests.support.orders import stock_level

ORDER = """query($id: ID!) { order(id: $id) { status statusHistory { status }
  shipments { id status carrier trackingNumber seller { id } } } }"""


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def _order(gql: Any, who: Account, order_id: str) -> dict[str, Any]:
    body = await gql.data(ORDER, {"id": order_id}, token=who.token)
    return body["order"]  # type: ignore[no-any-return]


async def _events(runtime: Any, event_type: str) -> list[dict[str, Any]]:
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.payload, outbox.c.aggregate_type)
                                   .where(outbox.c.event_type == event_type)
                                   .order_by(outbox.c.id))).all()
    return [{**json.loads(r.payload), "_aggregate": r.aggregate_type} for r in rows]


async def _outbox_count(runtime: Any) -> int:
    async with runtime.db.read_engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(outbox))).scalar_one())


async def test_two_sellers_fulfil_and_the_order_follows_to_delivered(gql: Any,
                                                                   runtime: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    order, ship_of, made, buyer = await paid_order(gql, runtime, [a, b])
    assert order["status"] == "CONFIRMED"
    variant_a, variant_b = made[0].variant_ids[0], made[1].variant_ids[0]

    processed = await process_shipment(gql, a, ship_of[a.seller_id])
    assert processed["userErrors"] == [] and processed["shipment"]["status"] == "PROCESSING"
    assert (await _order(gql, buyer, order["id"]))["status"] == "PROCESSING"

    shipped = await ship_shipment(gql, a, ship_of[a.seller_id], " 1Z-A-0001 ", carrier=" UPS ")
    assert shipped["userErrors"] == []
    assert shipped["shipment"]["status"] == "SHIPPED"
    assert (shipped["shipment"]["carrier"], shipped["shipment"]["trackingNumber"]) == (
        "UPS", "1Z-A-0001")
    assert shipped["shipment"]["shippedAt"] and shipped["shipment"]["deliveredAt"] is None
    assert (await _order(gql, buyer, order["id"]))["status"] == "PARTIALLY_SHIPPED"
    level_a = await stock_level(runtime, variant_a)
    assert (level_a.total, level_a.available, level_a.reserved, level_a.allocated) == (
        8, 8, 0, 0)
    level_b = await stock_level(runtime, variant_b)
    assert (level_b.total, level_b.allocated) == (10, 2)  # b has not shipped yet

    assert (await process_shipment(gql, b, ship_of[b.seller_id]))["userErrors"] == []
    assert (await _order(gql, buyer, order["id"]))["status"] == "PARTIALLY_SHIPPED"
    assert (await ship_shipment(gql, b, ship_of[b.seller_id], "1Z-B-0001"))["userErrors"] == []
    assert (await _order(gql, buyer, order["id"]))["status"] == "SHIPPED"
    level_b = await stock_level(runtime, variant_b)
    assert (level_b.total, level_b.available, level_b.allocated) == (8, 8, 0)

    delivered = await deliver_shipment(gql, a, ship_of[a.seller_id])
    assert delivered["userErrors"] == [] and delivered["shipment"]["deliveredAt"]
    assert (await _order(gql, buyer, order["id"]))["status"] == "SHIPPED"
    by_admin = await deliver_shipment(gql, admin, ship_of[b.seller_id])
    assert by_admin["userErrors"] == [] and by_admin["shipment"]["status"] == "DELIVERED"

    seen = await _order(gql, buyer, order["id"])
    assert seen["status"] == "DELIVERED"
    assert [h["status"] for h in seen["statusHistory"]] == [
        "PENDING_PAYMENT", "CONFIRMED", "PROCESSING", "PARTIALLY_SHIPPED", "SHIPPED",
        "DELIVERED"]
    assert {s["status"] for s in seen["shipments"]} == {"DELIVERED"}

    moves = await _events(runtime, "ShipmentStatusChanged")
    assert [(m["sellerId"], m["status"]) for m in moves] == [
        (a.seller_id, "PROCESSING"), (a.seller_id, "SHIPPED"), (b.seller_id, "PROCESSING"),
        (b.seller_id, "SHIPPED"), (a.seller_id, "DELIVERED"), (b.seller_id, "DELIVERED")]
    first_ship = moves[1]
    assert first_ship["_aggregate"] == "Shipment"
    assert (first_ship["buyerId"], first_ship["carrier"], first_ship["trackingNumber"]) == (
        buyer.user_id, "UPS", "1Z-A-0001")
    assert encode_id("Order", first_ship["orderId"]) == order["id"]
    assert encode_id("Shipment", first_ship["shipmentId"]) == ship_of[a.seller_id]
    changes = [(c["from"], c["to"]) for c in await _events(runtime, "OrderStatusChanged")]
    assert changes == [("PENDING_PAYMENT", "CONFIRMED"), ("CONFIRMED", "PROCESSING"),
                       ("PROCESSING", "PARTIALLY_SHIPPED"), ("PARTIALLY_SHIPPED", "SHIPPED"),
                       ("SHIPPED", "DELIVERED")]
    assert {c["buyerId"] for c in await _events(runtime, "OrderStatusChanged")} == {
        buyer.user_id}


async def test_only_the_owning_seller_or_an_admin_moves_a_shipment(gql: Any,
                                                                  runtime: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    order, ship_of, made, buyer = await paid_order(gql, runtime, [a, b])
    theirs = ship_of[a.seller_id]
    before = await _outbox_count(runtime)

    assert _codes(await process_shipment(gql, b, theirs)) == ["FORBIDDEN"]
    assert _codes(await ship_shipment(gql, b, theirs, "STOLEN-1")) == ["FORBIDDEN"]
    assert _codes(await deliver_shipment(gql, b, theirs)) == ["FORBIDDEN"]
    assert _codes(await process_shipment(gql, buyer, theirs)) == ["FORBIDDEN"]
    assert _codes(await ship_shipment(gql, buyer, theirs, "STOLEN-2")) == ["FORBIDDEN"]
    anonymous = await gql(PROCESS, {"id": theirs})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert _codes(await process_shipment(gql, a, encode_id("Shipment", 987654))) == ["NOT_FOUND"]
    assert _codes(await process_shipment(gql, a, "not-an-id")) == ["NOT_FOUND"]
    assert _codes(await process_shipment(gql, a, order["id"])) == ["NOT_FOUND"]  # an Order id

    # nothing changed: shipment, order, stock, events
    seen = await _order(gql, admin, order["id"])
    assert seen["status"] == "CONFIRMED" and [h["status"] for h in seen["statusHistory"]] == [
        "PENDING_PAYMENT", "CONFIRMED"]
    assert {s["status"] for s in seen["shipments"]} == {"PENDING"}
    assert all(s["trackingNumber"] is None for s in seen["shipments"])
    assert (await stock_level(runtime, made[0].variant_ids[0])).allocated == 2
    assert await _outbox_count(runtime) == before

    # an admin may move any shipment
    assert (await process_shipment(gql, admin, theirs))["shipment"]["status"] == "PROCESSING"
    assert (await ship_shipment(gql, admin, theirs, "ADMIN-1"))["shipment"]["status"] == "SHIPPED"


async def test_illegal_moves_and_bad_carrier_details(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    order, ship_of, made, buyer = await paid_order(gql, runtime, [seller])
    sid = ship_of[seller.seller_id]
    assert _codes(await ship_shipment(gql, seller, sid, "EARLY-1")) == ["INVALID_STATE_TRANSITION"]
    assert _codes(await deliver_shipment(gql, seller, sid)) == ["INVALID_STATE_TRANSITION"]
    assert (await process_shipment(gql, seller, sid))["userErrors"] == []
    assert _codes(await process_shipment(gql, seller, sid)) == ["INVALID_STATE_TRANSITION"]
    assert _codes(await deliver_shipment(gql, seller, sid)) == ["INVALID_STATE_TRANSITION"]

    blank = await ship_shipment(gql, seller, sid, "   ", carrier="")
    assert [(e["code"], e["field"]) for e in blank["userErrors"]] == [
        ("INVALID_INPUT", ["carrier"]), ("INVALID_INPUT", ["trackingNumber"])]
    too_long = await ship_shipment(gql, seller, sid, "T" * 101, carrier="C" * 61)
    assert [(e["code"], e["field"]) for e in too_long["userErrors"]] == [
        ("INVALID_INPUT", ["carrier"]), ("INVALID_INPUT", ["trackingNumber"])]
    assert (await stock_level(runtime, made[0].variant_ids[0])).allocated == 2

    assert (await ship_shipment(gql, seller, sid, "T" * 100, carrier="C" * 60))["userErrors"] == []
    assert _codes(await ship_shipment(gql, seller, sid, "AGAIN-1")) == ["INVALID_STATE_TRANSITION"]
    assert _codes(await process_shipment(gql, seller, sid)) == ["INVALID_STATE_TRANSITION"]
    level = await stock_level(runtime, made[0].variant_ids[0])
    assert (level.total, level.allocated) == (8, 0)  # shipped once, not twice
    assert (await deliver_shipment(gql, seller, sid))["userErrors"] == []
    assert _codes(await deliver_shipment(gql, seller, sid)) == ["INVALID_STATE_TRANSITION"]
    seen = await _order(gql, buyer, order["id"])
    assert [h["status"] for h in seen["statusHistory"]] == [
        "PENDING_PAYMENT", "CONFIRMED", "PROCESSING", "SHIPPED", "DELIVERED"]


async def test_an_unpaid_order_cannot_be_processed_or_shipped(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    order, ship_of, made, buyer = await paid_order(gql, runtime, [seller],
                                                    pm="pm_card_chargeDeclined")
    assert order["status"] == "PENDING_PAYMENT"
    sid = ship_of[seller.seller_id]
    assert _codes(await process_shipment(gql, seller, sid)) == ["INVALID_STATE_TRANSITION"]
    assert _codes(await ship_shipment(gql, seller, sid, "UNPAID-1")) == ["INVALID_STATE_TRANSITION"]
    seen = await _order(gql, buyer, order["id"])
    assert seen["status"] == "PENDING_PAYMENT"
    assert [s["status"] for s in seen["shipments"]] == ["PENDING"]
    level = await stock_level(runtime, made[0].variant_ids[0])
    assert (level.total, level.allocated) == (10, 2)


async def test_a_tracking_number_belongs_to_one_shipment(gql: Any, runtime: Any) -> None:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    order, ship_of, made, _ = await paid_order(gql, runtime, [a, b])
    for seller in (a, b):
        assert (await process_shipment(gql, seller, ship_of[seller.seller_id]))["userErrors"] == []
    assert (await ship_shipment(gql, a, ship_of[a.seller_id], "SAME-123"))["userErrors"] == []
    taken = await ship_shipment(gql, b, ship_of[b.seller_id], " SAME-123 ")
    assert [(e["code"], e["field"]) for e in taken["userErrors"]] == [
        ("CONFLICT", ["trackingNumber"])]
    level = await stock_level(runtime, made[1].variant_ids[0])
    assert (level.total, level.allocated) == (10, 2)  # rolled back with the refusal

    # A race the pre-check cannot see: the unique constraint answers, inside a savepoint,
    # and the transaction stays usable.
    async with runtime.db.read_engine.connect() as conn:
        b_pk = (await conn.execute(select(shipments.c.id).where(
            shipments.c.seller_id == b.seller_id))).scalar_one()
    async with runtime.uow() as uow:
        try:
            await uow.shipments.change_status(b_pk, "PROCESSING", "SHIPPED", uow.now(),
                                              carrier="UPS", tracking_number="SAME-123")
        except TrackingNumberTaken:
            pass
        else:
            raise AssertionError("the duplicate tracking number was accepted")
        still = await uow.shipments.get(b_pk)
        assert still is not None and still.status == "PROCESSING"

    assert (await ship_shipment(gql, b, ship_of[b.seller_id], "OTHER-456"))["userErrors"] == []


async def test_two_sellers_shipping_at_once_leave_the_order_shipped(gql: Any,
                                                                    runtime: Any) -> None:
    """The order row is locked first, so the second shipment's transaction sees the first
    one's and the order does not stop at PARTIALLY_SHIPPED."""
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    order, ship_of, _, buyer = await paid_order(gql, runtime, [a, b])
    await asyncio.gather(process_shipment(gql, a, ship_of[a.seller_id]),
                         process_shipment(gql, b, ship_of[b.seller_id]))
    results = await asyncio.gather(ship_shipment(gql, a, ship_of[a.seller_id], "RACE-A"),
                                   ship_shipment(gql, b, ship_of[b.seller_id], "RACE-B"))
    assert [r["userErrors"] for r in results] == [[], []]
    seen = await _order(gql, buyer, order["id"])
    assert seen["status"] == "SHIPPED"
    assert [h["status"] for h in seen["statusHistory"]] == [
        "PENDING_PAYMENT", "CONFIRMED", "PROCESSING", "PARTIALLY_SHIPPED", "SHIPPED"]


async def test_carrier_webhook_moves_shipments_forward_only(gql: Any, runtime: Any,
                                                           clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    order, ship_of, _, buyer = await paid_order(gql, runtime, [seller])
    sid = ship_of[seller.seller_id]
    await process_shipment(gql, seller, sid)
    shipped_at = clock.now()
    await ship_shipment(gql, seller, sid, "1ZCARRIER")
    secret = runtime.settings.carrier_webhook_secret

    async def post(body: dict[str, Any] | bytes, headers: dict[str, str] | None = None,
                   secret_: str = secret) -> Any:
        raw, signed = sign_carrier_report(body, secret_)
        return await gql.http.post("/webhooks/carrier", content=raw,
                                   headers=signed if headers is None else headers)

    def report(status: str, at: datetime, tracking: str = "1ZCARRIER") -> dict[str, Any]:
        return {"trackingNumber": tracking, "status": status, "occurredAt": at.isoformat()}

    async def shipment() -> dict[str, Any]:
        found = await gql.data(f'{{ node(id: "{sid}") {{ ... on Shipment {{ '
                               f'{SHIPMENT_FIELDS} }} }} }}', token=reissue(runtime, seller))
        return found["node"]  # type: ignore[no-any-return]

    before = await _outbox_count(runtime)
    in_transit = report("IN_TRANSIT", shipped_at + timedelta(hours=1))
    assert (await post(in_transit, secret_="wrong-secret")).status_code == 401
    assert (await post(in_transit, headers={"Content-Type": "application/json"})
            ).status_code == 401
    raw, headers = sign_carrier_report(in_transit, secret)
    tampered = raw.replace(b"IN_TRANSIT", b"DELIVERED")
    assert (await gql.http.post("/webhooks/carrier", content=tampered,
                                headers=headers)).status_code == 401
    assert (await post(b"{not json")).status_code == 400
    assert (await post(b"[]")).status_code == 400
    assert (await post({**in_transit, "status": "LOST"})).status_code == 400
    assert (await post({**in_transit, "trackingNumber": ""})).status_code == 400
    assert (await post({**in_transit, "occurredAt": "yesterday"})).status_code == 400
    assert (await post({**in_transit, "occurredAt": "2026-01-01T10:00:00"})).status_code == 400
    assert (await shipment())["status"] == "SHIPPED"
    assert await _outbox_count(runtime) == before

    unknown = await post(report("DELIVERED", shipped_at, tracking="NOT-OURS"))
    assert unknown.status_code == 202 and unknown.json()["applied"] is False

    moved = await post(in_transit)
    assert moved.status_code == 200 and moved.json() == {
        "received": True, "applied": True, "status": "IN_TRANSIT"}
    assert (await shipment())["status"] == "IN_TRANSIT"
    assert (await post(report("SHIPPED", shipped_at))).json()["applied"] is False

    clock.advance(hours=30)
    delivered_at = shipped_at + timedelta(hours=26)
    done = await post(report("DELIVERED", delivered_at))
    assert done.status_code == 200 and done.json()["applied"] is True
    seen = await shipment()
    assert seen["status"] == "DELIVERED"
    assert datetime.fromisoformat(seen["deliveredAt"]) == delivered_at
    reissue(runtime, buyer)
    order_now = await _order(gql, buyer, order["id"])
    assert order_now["status"] == "DELIVERED"

    # late, out-of-order and repeated reports change nothing
    stale = await post(report("IN_TRANSIT", shipped_at + timedelta(hours=2)))
    assert stale.status_code == 200 and stale.json() == {
        "received": True, "applied": False, "status": "DELIVERED"}
    assert (await post(report("DELIVERED", delivered_at))).json()["applied"] is False
    assert (await shipment())["status"] == "DELIVERED"
    carrier_moves = [m["status"] for m in await _events(runtime, "ShipmentStatusChanged")]
    assert carrier_moves == ["PROCESSING", "SHIPPED", "IN_TRANSIT", "DELIVERED"]
    assert [(c["from"], c["to"]) for c in await _events(runtime, "OrderStatusChanged")][-1] == (
        "SHIPPED", "DELIVERED")
