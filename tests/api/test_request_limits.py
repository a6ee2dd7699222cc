"""Request limits against real uvicorn servers (docs/rules.md, "Request limits"): bodies over
MAX_BODY_BYTES are a JSON 413 before they are read whole (with or without Content-Length),
WebSocket messages over it close the socket with 1009, and WebSocket connections per user and
per IP and subscriptions per socket are capped with close code 4429."""
from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.support.client import without_cost
from tests.support.factories import make_account
from tests.support.server import RunningServer, start_server
from web.limits import limit_messages

pytestmark = pytest.mark.slow

LIMIT = 4096
SUBSCRIPTION = "subscription { myOrderUpdates { type } }"


@pytest.fixture(scope="module")
def servers(migrated: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, RunningServer]]:
    log_dir = tmp_path_factory.mktemp("limit-servers")
    started: dict[str, RunningServer] = {}
    try:
        started["users"] = start_server(migrated, log_dir, env={
            "MAX_BODY_BYTES": str(LIMIT), "WS_MAX_CONNECTIONS_PER_USER": "2",
            "WS_MAX_SUBSCRIPTIONS_PER_SOCKET": "2"})
        started["ips"] = start_server(migrated, log_dir, env={
            "WS_MAX_CONNECTIONS_PER_IP": "3"})
        yield started
    finally:
        for server in started.values():
            server.stop()


def query_of_size(size: int) -> bytes:
    head, tail = b'{"query": "{ __typename }", "variables": {"pad": "', b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def test_a_body_over_the_limit_is_a_json_413(servers: dict[str, RunningServer]) -> None:
    async with httpx.AsyncClient(base_url=servers["users"].base_url, timeout=10) as http:
        fits = await http.post("/graphql", content=query_of_size(LIMIT),
                               headers={"Content-Type": "application/json"})
        assert fits.status_code == 200
        assert without_cost(fits.json()) == {"data": {"__typename": "Query"}}
        for path in ("/graphql", "/webhooks/stripe", "/webhooks/carrier",
                     "/payments/offline/action/pi_1"):
            over = await http.post(path, content=query_of_size(LIMIT + 1),
                                   headers={"Content-Type": "application/json"})
            assert over.status_code == 413, (path, over.text)
            assert over.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

        async def chunks() -> Any:
            for _ in range(10):
                yield b"x" * 1000

        chunked = await http.post("/graphql", content=chunks(),
                                  headers={"Content-Type": "application/json"})
        assert chunked.status_code == 413
        assert chunked.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def _raw_request(base_url: str, head: bytes, body: bytes) -> bytes:
    """Sends a request whose body never ends, and returns what the server answers."""
    url = urlparse(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


def test_the_server_answers_once_the_limit_is_passed_without_waiting_for_the_rest(
        servers: dict[str, RunningServer]) -> None:
    base = servers["users"].base_url
    chunk = b"x" * (LIMIT + 1)
    # Chunked: one chunk past the limit, and never the last chunk.
    answer = _raw_request(base, b"POST /graphql HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                          f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # Content-Length of 1 GB: refused before a byte of the body is sent.
    answer = _raw_request(base, b"POST /graphql HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n",
                          b"")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def ws_url(server: RunningServer) -> str:
    return server.base_url.replace("http://", "ws://") + "/graphql"


async def opened(server: RunningServer, token: str | None = None) -> ClientConnection:
    ws = await connect(ws_url(server), subprotocols=[Subprotocol("graphql-transport-ws")],
                       open_timeout=10, max_size=None)
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def acked(ws: ClientConnection) -> None:
    assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "connection_ack"}


async def closed_with(ws: ClientConnection) -> tuple[int | None, str | None]:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    rcvd = closed.value.rcvd
    return (rcvd.code, rcvd.reason) if rcvd else (None, None)


async def test_a_websocket_message_over_the_limit_closes_with_1009(
        servers: dict[str, RunningServer]) -> None:
    ws = await opened(servers["users"])
    await acked(ws)
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": "{ __typename }", "variables": {"pad": "x" * LIMIT}}}))
    code, _ = await closed_with(ws)
    assert code == 1009


async def test_the_app_itself_closes_a_socket_on_a_message_over_the_limit() -> None:
    """Whatever the server's own frame limit, the app counts each message (web/limits.py)."""
    sent: list[dict[str, Any]] = []
    incoming = [{"type": "websocket.receive", "text": "é" * 3},
                {"type": "websocket.receive", "bytes": b"x" * 9}]

    async def receive() -> Any:
        return incoming.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    checked_receive, checked_send = limit_messages(receive, send, 8)
    assert await checked_receive() == {"type": "websocket.receive", "text": "é" * 3}
    assert await checked_receive() == {"type": "websocket.disconnect", "code": 1009}
    await checked_send({"type": "websocket.send", "text": "late"})
    assert sent == [{"type": "websocket.close", "code": 1009, "reason": "message too big"}]


async def test_sockets_per_user_and_subscriptions_per_socket_are_capped(
        servers: dict[str, RunningServer], runtime: Any) -> None:
    server = servers["users"]
    buyer = await make_account(runtime)
    other = await make_account(runtime)
    first, second = await opened(server, buyer.token), await opened(server, buyer.token)
    await acked(first)
    await acked(second)
    third = await opened(server, buyer.token)
    assert await closed_with(third) == (4429, "too many connections")
    someone_else = await opened(server, other.token)  # the cap is per user
    await acked(someone_else)
    anonymous = await opened(server)
    await acked(anonymous)

    await second.close()
    for _ in range(50):  # the server notices the close and gives the place back
        again = await opened(server, buyer.token)
        message = json.loads(await asyncio.wait_for(again.recv(), 10)) \
            if not again.close_code else None
        if message == {"type": "connection_ack"}:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the closed socket's place was not given back")

    for sub_id in ("a", "b"):
        await first.send(json.dumps({"id": sub_id, "type": "subscribe",
                                     "payload": {"query": SUBSCRIPTION}}))
    await asyncio.sleep(0.3)
    await first.send(json.dumps({"id": "c", "type": "subscribe",
                                 "payload": {"query": SUBSCRIPTION}}))
    assert await closed_with(first) == (4429, "too many subscriptions")
    for ws in (again, someone_else, anonymous):
        await ws.close()


async def test_sockets_per_ip_are_capped(servers: dict[str, RunningServer]) -> None:
    server = servers["ips"]
    sockets = [await opened(server) for _ in range(3)]
    for ws in sockets:
        await acked(ws)
    refused = await connect(ws_url(server), subprotocols=[Subprotocol("graphql-transport-ws")],
                            open_timeout=10)
    assert await closed_with(refused) == (4429, "too many connections")
    for ws in sockets:
        await ws.close()
