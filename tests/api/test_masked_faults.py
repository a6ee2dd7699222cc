"""Masked faults (docs/rules.md, "Protection"): unexpected errors answer a generic error with the
request id and are logged, over HTTP and the WebSocket; domain refusals keep their codes."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from domain.errors import AuthenticationRequired, PermissionDenied
from domain.ids import encode_id
from schema.node import NODE_RESOLVERS
from tests.support.client import GraphQLClient
from tests.support.protection import (
    NODE,
    http_client,
    probe_app,
    probe_ran,
    serving,
)


# ---------------------------------------------------------------------------- masked faults


async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
        gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(info: Info, pk: int) -> Any:
        raise RuntimeError("connection to postgres://admin:hunter2@db failed")

    monkeypatch.setitem(NODE_RESOLVERS, "ProtectionProbe", broken)
    with caplog.at_level(logging.ERROR, logger="marketplace.errors"):
        response = await gql.http.post(
            "/graphql", json={"query": NODE, "variables": {"id": encode_id("ProtectionProbe", 1)}},
            headers={"X-Request-ID": "req42abc"})
    assert response.status_code == 200
    assert "hunter2" not in response.text
    body = response.json()
    assert body["data"] == {"node": None}
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["path"] == ["node"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req42abc"}
    assert response.headers["x-request-id"] == "req42abc"
    [record] = [r for r in caplog.records if r.name == "marketplace.errors"]
    assert "req42abc" in record.getMessage()
    assert record.exc_info and "hunter2" in str(record.exc_info[1])


async def test_request_id_is_made_when_the_client_sends_none(
        gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(info: Info, pk: int) -> Any:
        raise KeyError("secret")

    monkeypatch.setitem(NODE_RESOLVERS, "ProtectionProbe", broken)
    response = await gql.http.post(
        "/graphql", json={"query": NODE, "variables": {"id": encode_id("ProtectionProbe", 1)}})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


class BrokenHook(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        raise RuntimeError("hook saw postgres://admin:hunter2@db")
        yield  # pragma: no cover


async def test_faults_outside_resolvers_are_masked_too(runtime: Any) -> None:
    async with http_client(probe_app(runtime, extensions=(BrokenHook,))) as client:
        response = await client.http.post("/graphql", json={"query": "{ probe { level } }"},
                                          headers={"X-Request-ID": "hook7"})
    assert "hunter2" not in response.text
    assert response.json()["errors"] == [{"message": "Unexpected error.", "extensions": {
        "code": "INTERNAL", "requestId": "hook7"}}]
    assert probe_ran(client) == []


async def test_faults_are_masked_on_the_websocket_too(runtime: Any) -> None:
    # Each WebSocket result is coded before it is sent (not when the operation ends).
    async with serving(probe_app(runtime)) as url, connect(
            url, subprotocols=[Subprotocol("graphql-transport-ws")],
            additional_headers={"X-Request-ID": "ws123"}) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": "{ boom }"}}))
        message = json.loads(await ws.recv())
        assert message["type"] == "next"
        assert message["payload"]["errors"] == [{
            "message": "Unexpected error.", "locations": [{"line": 1, "column": 3}],
            "path": ["boom"], "extensions": {"code": "INTERNAL", "requestId": "ws123"}}]
        assert json.loads(await ws.recv()) == {"id": "1", "type": "complete"}
        await ws.send(json.dumps({"id": "2", "type": "subscribe",
                                  "payload": {"query": "{ nope }"}}))
        error = json.loads(await ws.recv())
        assert error["type"] == "error"
        assert error["payload"][0]["extensions"] == {"code": "QUERY_REJECTED"}


@pytest.mark.parametrize(("exc", "code"), [
    (AuthenticationRequired("Sign in to use this field."), "UNAUTHENTICATED"),
    (PermissionDenied("Only ADMIN accounts may use this field."), "FORBIDDEN"),
])
async def test_domain_refusals_keep_their_codes(gql: GraphQLClient,
                                                monkeypatch: pytest.MonkeyPatch,
                                                exc: Exception, code: str) -> None:
    async def refuse(info: Info, pk: int) -> Any:
        raise exc

    monkeypatch.setitem(NODE_RESOLVERS, "ProtectionProbe", refuse)
    body = await gql(NODE, {"id": encode_id("ProtectionProbe", 1)})
    [error] = body["errors"]
    assert error["message"] == str(exc)
    assert error["extensions"]["code"] == code
