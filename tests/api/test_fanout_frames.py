"""A subscriber group's `next` messages over a real WebSocket: the same payload characters
for every member, each message with the member's own subscription id, one encode per group
and event (docs/architecture.md, "Live events"; web/socket_frames.py)."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from adapters.live.feed import OutboxFeed
from tests.support.factories import make_account
from tests.support.fulfilment import process_shipment
from tests.support.orders import checkout, complete
from tests.support.protection import serving
from web.socket_frames import payloads_for

WATCH = """subscription($id: ID!) { orderUpdates(orderId: $id) { type status
  order { number status } shipment { status } payment { status } } }"""


async def _open(url: str, token: str, sub_id: str, order_id: str) -> ClientConnection:
    ws = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
    await ws.send(json.dumps({"type": "connection_init",
                              "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    await ws.send(json.dumps({"id": sub_id, "type": "subscribe", "payload": {
        "query": WATCH, "variables": {"id": order_id}}}))
    return ws


async def _texts(ws: ClientConnection, count: int) -> list[str]:
    return [str(await asyncio.wait_for(ws.recv(), 10)) for _ in range(count)]


async def test_a_group_gets_one_encoded_payload_with_each_subscription_id(
        app: Any, gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    stranger = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    order = (await complete(gql, buyer.token, sid))["order"]
    feed = OutboxFeed(runtime, runtime.bus)
    await feed.start_position()
    async with serving(app) as url:
        owners = [await _open(url, buyer.token, f"own-{i}\"", order["id"]) for i in range(4)]
        seller_ws = await _open(url, seller.token, "s", order["id"])
        stranger_ws = await _open(url, stranger.token, "x", order["id"])
        refused = json.loads(await asyncio.wait_for(stranger_ws.recv(), 10))
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert json.loads(await stranger_ws.recv()) == {"id": "x", "type": "complete"}
        for _ in range(200):
            if runtime.bus.subscriber_count == 5:
                break
            await asyncio.sleep(0.02)
        assert runtime.bus.subscriber_count == 5
        payloads = payloads_for(runtime.bus)
        before = payloads.encodes
        shipment = order["shipments"][0]["id"]
        assert (await process_shipment(gql, seller, shipment))["userErrors"] == []
        await feed.poll_once()
        told = [await _texts(ws, 2) for ws in owners]
        for i, texts in enumerate(told):
            assert [json.loads(t)["id"] for t in texts] == [f"own-{i}\""] * 2
            assert [t.split(",", 1)[1] for t in texts] == [
                t.split(",", 1)[1] for t in told[0]]  # identical payload characters
        events = [json.loads(t)["payload"]["data"]["orderUpdates"] for t in told[0]]
        assert [(e["type"], e["status"]) for e in events] == [
            ("SHIPMENT_STATUS_CHANGED", "CONFIRMED"), ("ORDER_STATUS_CHANGED", "PROCESSING")]
        seller_texts = await _texts(seller_ws, 2)
        assert [json.loads(t)["id"] for t in seller_texts] == ["s", "s"]
        assert payloads.encodes - before == 2 * 2  # two events, two groups (buyer, seller)
        for ws in [*owners, seller_ws, stranger_ws]:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.3)  # each event once; the stranger none
        for ws in [*owners, seller_ws, stranger_ws]:
            await ws.close()
