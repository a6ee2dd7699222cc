"""The WebSocket at /graphql, against a real uvicorn server: graphql-transport-ws only, and the
browser Origin checked at the handshake (the server's own origin, or CORS_ORIGINS)."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from tests.support.client import without_cost
from tests.support.server import RunningServer, start_server

pytestmark = pytest.mark.slow

TRANSPORT_WS = Subprotocol("graphql-transport-ws")
LEGACY_WS = Subprotocol("graphql-ws")
DEEP_INTROSPECTION = "{ __schema { types { " + " { ".join(
    ["fields { type"] * 10 + ["name"]) + " }" * 20 + " } } }"


@pytest.fixture(scope="module")
def servers(migrated: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, RunningServer]]:
    log_dir = tmp_path_factory.mktemp("ws-servers")
    started: dict[str, RunningServer] = {}
    try:
        started["default"] = start_server(migrated, log_dir)
        started["shop"] = start_server(migrated, log_dir, env={
            "CORS_ORIGINS": "https://shop.example, http://localhost:3000"})
        yield started
    finally:
        for server in started.values():
            server.stop()


def ws_url(server: RunningServer) -> str:
    return server.base_url.replace("http://", "ws://") + "/graphql"


async def handshake(server: RunningServer, *, origin: str | None = None,
                    subprotocols: list[Subprotocol] | None = None) -> ClientConnection:
    return await connect(ws_url(server), origin=Origin(origin) if origin else None,
                         subprotocols=subprotocols or [TRANSPORT_WS], open_timeout=10)


async def refused_status(server: RunningServer, **kwargs: Any) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await handshake(server, **kwargs)
    return int(refused.value.response.status_code)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(await ws.recv(decode=True))  # type: ignore[no-any-return]


async def ack(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert await receive(ws) == {"type": "connection_ack"}


async def run(ws: ClientConnection, query: str, op_id: str = "1") -> AsyncIterator[dict[str, Any]]:
    await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))
    while True:
        message = await receive(ws)
        yield message
        if message["type"] in ("complete", "error"):
            return


async def test_graphql_transport_ws_is_served(servers: dict[str, RunningServer]) -> None:
    async with await handshake(servers["default"]) as ws:
        assert ws.subprotocol == TRANSPORT_WS
        await ack(ws)
        messages = [m async for m in run(ws, "query Hello { __typename }")]
        messages[0]["payload"] = without_cost(messages[0]["payload"])
        assert messages == [
            {"id": "1", "type": "next", "payload": {"data": {"__typename": "Query"}}},
            {"id": "1", "type": "complete"}]


@pytest.mark.parametrize("offered", [[LEGACY_WS], []])
async def test_other_subprotocols_are_refused(servers: dict[str, RunningServer],
                                              offered: list[Subprotocol]) -> None:
    # As the graphql-ws reference server does: no subprotocol is agreed, and the socket is
    # closed at once with 4406 "Subprotocol not acceptable", before any message is read.
    connection = await connect(ws_url(servers["default"]), subprotocols=offered or None,
                               open_timeout=10)
    async with connection as ws:
        assert ws.subprotocol is None
        with pytest.raises(ConnectionClosed) as closed:
            await ws.send(json.dumps({"type": "connection_init"}))
            await receive(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4406
        assert closed.value.rcvd.reason == "Subprotocol not acceptable"


async def test_limits_and_codes_apply_on_the_websocket(servers: dict[str, RunningServer]
                                                       ) -> None:
    async with await handshake(servers["default"]) as ws:
        await ack(ws)
        [error] = [m async for m in run(ws, DEEP_INTROSPECTION)]
        assert error["type"] == "error"
        assert [e["extensions"]["code"] for e in error["payload"]] == ["QUERY_REJECTED"]
        # the socket stays usable after a refused operation
        assert [m["type"] async for m in run(ws, "{ __typename }", "2")] == ["next", "complete"]


async def test_a_page_on_another_origin_cannot_open_the_socket(
        servers: dict[str, RunningServer]) -> None:
    assert await refused_status(servers["default"], origin="https://evil.example") == 403
    assert await refused_status(servers["shop"], origin="https://evil.example") == 403
    # the default server knows no other origin, not even the shop's
    assert await refused_status(servers["default"], origin="https://shop.example") == 403


async def test_own_origin_configured_origins_and_non_browsers_may_connect(
        servers: dict[str, RunningServer]) -> None:
    default, shop = servers["default"], servers["shop"]
    accepted = [
        (default, default.base_url),  # same origin as the server
        (default, None),  # no Origin header: not a browser
        (shop, "https://shop.example"),
        (shop, "http://localhost:3000"),
        (shop, shop.base_url),
    ]
    for server, origin in accepted:
        async with await handshake(server, origin=origin) as ws:
            await ack(ws)


async def test_http_and_websocket_share_the_allowed_origins(
        servers: dict[str, RunningServer]) -> None:
    async with httpx.AsyncClient(base_url=servers["shop"].base_url) as http:
        allowed = await http.post("/graphql", json={"query": "{ __typename }"},
                                  headers={"Origin": "https://shop.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        refused = await http.post("/graphql", json={"query": "{ __typename }"},
                                  headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers
