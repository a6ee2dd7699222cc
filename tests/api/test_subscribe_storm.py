"""A storm of subscribes larger than the read pool can serve within its timeout: each waits its
turn for a read connection instead of failing with SERVICE_UNAVAILABLE
(adapters/live/admission.py), and the event then reaches every one of them."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from adapters.live.feed import OutboxFeed
from tests.support.factories import make_account
from tests.support.fulfilment import process_shipment
from tests.support.orders import checkout, complete
from tests.support.protection import serving

WATCH = """subscription($id: ID!) { orderUpdates(orderId: $id) { type order { status } } }"""
SOCKETS = 150


async def _subscribe(url: str, token: str, order_id: str) -> ClientConnection:
    ws = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")],
                       open_timeout=30)
    await ws.send(json.dumps({"type": "connection_init",
                              "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": WATCH, "variables": {"id": order_id}}}))
    return ws


async def test_a_subscribe_storm_waits_for_read_connections_instead_of_failing(
        gql: Any, runtime: Any, make_app: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    order = (await complete(gql, buyer.token, sid))["order"]
    # two read connections, and a checkout waits for one at most 20 ms
    app = make_app(db_pool_size=2, db_lock_timeout_seconds=0.02,
                   ws_max_connections_per_user=SOCKETS, ws_max_connections_per_ip=SOCKETS)
    storm = app.state.runtime
    feed = OutboxFeed(storm, storm.bus)
    await feed.start_position()
    async with serving(app) as url:
        sockets = await asyncio.gather(*(_subscribe(url, buyer.token, order["id"])
                                         for _ in range(SOCKETS)))
        for _ in range(500):
            if storm.bus.subscriber_count == SOCKETS:
                break
            await asyncio.sleep(0.02)
        assert (await process_shipment(gql, seller, order["shipments"][0]["id"]))[
            "userErrors"] == []
        await feed.poll_once()
        first = [json.loads(await asyncio.wait_for(ws.recv(), 30)) for ws in sockets]
        refused = [m for m in first if m["type"] != "next" or m["payload"].get("errors")]
        assert refused == []
        assert {m["payload"]["data"]["orderUpdates"]["type"] for m in first} == {
            "SHIPMENT_STATUS_CHANGED"}
        await asyncio.gather(*(ws.close() for ws in sockets))
