"""Subscriptions for tests: a graphql-transport-ws client over the `websockets` library and the
order-tracking subscription documents."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

MY_UPDATES = """subscription { myOrderUpdates { type status at order { number status }
  payment { status } shipment { status } } }"""
ORDER_UPDATES = """subscription($id: ID!) { orderUpdates(orderId: $id) { type status at
  order { number } payment { status } } }"""
SELLER_UPDATES = """subscription { sellerShipmentUpdates { status shipment { status
  lines { sku quantity } order { number } } } }"""


class Socket:
    """A graphql-transport-ws client over the `websockets` library."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, base_url: str, token: str | None) -> "Socket":
        ws = await websockets.connect(base_url.replace("http", "ws") + "/graphql",
                                      subprotocols=["graphql-transport-ws"])
        socket = cls(ws)
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return socket

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None,
                        sub_id: str = "1") -> None:
        await self.ws.send(json.dumps({"id": sub_id, "type": "subscribe", "payload": {
            "query": query, "variables": variables or {}}}))

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] in ("ping", "pong"):
                continue
            return message  # type: ignore[no-any-return]

    async def events(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        found = []
        while len(found) < count:
            message = await self.next(timeout)
            assert message["type"] == "next", message
            assert not message["payload"].get("errors"), message
            found.append(next(iter(message["payload"]["data"].values())))
        return found

    async def refusal_code(self) -> str:
        """The error code of a refused subscription (an `error` message, or a `next` whose
        payload carries only errors)."""
        message = await self.next()
        errors = message["payload"] if message["type"] == "error" else message["payload"].get(
            "errors")
        assert message["type"] in ("error", "next") and errors, message
        return str(errors[0]["extensions"]["code"])

    async def close(self) -> None:
        await self.ws.close()
