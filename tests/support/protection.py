"""The protection tests' shared parts (docs/rules.md, "Protection"): hostile documents, an
HTTP client over the ASGI app, a real server, and `ProbeQuery`, a small schema served by the
real view (MarketplaceGraphQL) with the real extensions, whose resolvers record that they ran."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info

from adapters.metrics import Metrics
from adapters.security.rate_limits import build_limiters
from web.edge import request_id_of
from web.graphql_view import MarketplaceGraphQL
from schema.protection import protection_extensions
from tests.support.client import GraphQLClient
from tests.support.server import free_port

# ---------------------------------------------------------------------------------- documents


def nested(fields: list[str], leaf: str = "__typename") -> str:
    """`{ a { b { c { __typename } } } }` for fields ["a", "b", "c"]."""
    return "{ " + " { ".join(fields + [leaf]) + " }" * (len(fields) + 1)


# 50 levels of introspection lists: without a limit, types x fields x types x fields ...
DEEP_INTROSPECTION = "{ __schema { types { " + " { ".join(
    ["fields { type", "fields { type"] * 12 + ["name"]) + " }" * 48 + " } } }"
DEEP_UNKNOWN = nested(["a"] * 50)
THOUSAND_ALIASES = "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"
NODE_ALIASES = "{ " + " ".join(f'n{i}: node(id: "x") {{ id }}' for i in range(31)) + " }"
THIRTY_ALIASES = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
FRAGMENT_ALIASES = "query Twice { ...Sixteen ...Sixteen } fragment Sixteen on Query { " + " ".join(
    f"a{i}: __typename" for i in range(16)) + " }"
TOO_MANY_TOKENS = "{ " + "__typename " * 2001 + "}"
NODE = 'query Node($id: ID!) { node(id: $id) { id } }'
QUERY_FIELDS = '{ __type(name: "Query") { fields { name args { name } } } }'
MUTATION_FIELDS = "{ __schema { mutationType { fields { name } } } }"
TYPE_GRAPH = """{ __schema { types { kind name fields {
  name args { defaultValue type { kind } }
  type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"""
PING = "mutation Ping { __typename }"


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


def assert_rejected(body: dict[str, Any]) -> None:
    assert body.get("data") is None, body
    assert codes(body) and set(codes(body)) == {"QUERY_REJECTED"}, body


# ----------------------------------------------------------------------------------- fixtures


@contextlib.asynccontextmanager
async def http_client(app: Any, client: tuple[str, int] = ("127.0.0.1", 50000)
                      ) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


async def served_fields(gql: GraphQLClient) -> dict[str, set[str]]:
    """Query field name -> its argument names, as the app serves them now."""
    fields = (await gql.data(QUERY_FIELDS))["__type"]["fields"]
    return {f["name"]: {a["name"] for a in f["args"]} for f in fields}


# ------------------------------------------------------------------ probe schema (real view)


class RequestIdMiddleware:
    """Only the request id of web/edge.py's HttpEdge (X-Request-ID if the client sent a sane
    one, echoed back), for the probe app, built without the rest of the edge."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


# What the probe fields ran, per probe runtime (by id: one list per probe app).
PROBE_RAN: dict[int, list[str]] = {}


def _ran(info: Info, name: str) -> None:
    PROBE_RAN.setdefault(id(info.context.runtime), []).append(name)


@strawberry.type
class Probe:
    level: int

    @strawberry.field
    def child(self, info: Info) -> Probe:
        _ran(info, "child")
        return Probe(level=self.level + 1)


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def probe(self, info: Info) -> Probe:
        _ran(info, "probe")
        return Probe(level=0)

    @strawberry.field
    def page(self, info: Info, first: int = 10) -> list[int]:
        _ran(info, "page")
        return list(range(first))

    @strawberry.field
    def boom(self, info: Info) -> str | None:
        raise RuntimeError("connection to postgres://admin:hunter2@db failed")


@strawberry.type
class ProbeMutation:
    @strawberry.mutation
    def bump(self, info: Info) -> int:
        _ran(info, "bump")
        return len(PROBE_RAN[id(info.context.runtime)])


def probe_app(runtime: Any, extensions: tuple[Any, ...] = (), **overrides: Any) -> Starlette:
    """ProbeQuery behind the real view, extensions and request-id middleware, on a copy of the
    app's runtime (same database and clock; own settings, limiter and metrics)."""
    settings = replace(runtime.settings, **overrides)
    probe_runtime = dataclasses.replace(
        runtime, settings=settings, limiters=build_limiters(settings, runtime.clock),
        metrics=Metrics())
    PROBE_RAN[id(probe_runtime)] = []  # new (an id may be reused after a runtime is gone)
    schema = strawberry.Schema(
        query=ProbeQuery, mutation=ProbeMutation,
        extensions=[*protection_extensions(settings), *extensions],
        config=StrawberryConfig(batching_config={"max_operations": settings.max_batch_operations},
                                disable_field_suggestions=not settings.introspection))
    view = MarketplaceGraphQL(schema, probe_runtime)
    app = Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"]),
                            WebSocketRoute("/graphql", view)],
                    middleware=[Middleware(RequestIdMiddleware)])
    app.state.runtime = probe_runtime
    return app


@contextlib.asynccontextmanager
async def probe_client(runtime: Any, **overrides: Any) -> AsyncIterator[GraphQLClient]:
    async with http_client(probe_app(runtime, **overrides)) as client:
        yield client


def probe_ran(client: GraphQLClient) -> list[str]:
    transport: Any = client.http._transport
    return PROBE_RAN.get(id(transport.app.state.runtime), [])


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """`app` on a uvicorn server in this event loop; yields its WebSocket URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


# ------------------------------------------------------------------------------------ helpers


def object_target(field: dict[str, Any], types: dict[str, Any]) -> str | None:
    if any(a["type"]["kind"] == "NON_NULL" and a["defaultValue"] is None for a in field["args"]):
        return None  # needs an argument we could not make up
    ref = field["type"]
    while ref["kind"] in ("NON_NULL", "LIST"):
        ref = ref["ofType"]
    return ref["name"] if ref["name"] in types else None


def field_cycles(data: dict[str, Any]) -> Iterator[tuple[list[str], list[str]]]:
    """For each root field that leads to a cycle of object fields: the fields leading from
    Query to the cycle, and the cycle."""
    types = {t["name"]: t for t in data["__schema"]["types"]
             if t["kind"] == "OBJECT" and not t["name"].startswith("__")}
    path_types: list[str] = []
    path_fields: list[str] = []
    visited: set[str] = set()

    def walk(name: str) -> tuple[list[str], list[str]] | None:
        path_types.append(name)
        visited.add(name)
        for field in types[name]["fields"]:
            target = object_target(field, types)
            if target is None:
                continue
            path_fields.append(field["name"])
            if target in path_types:
                start = path_types.index(target)
                return path_fields[:start], path_fields[start:]
            if target not in visited and (found := walk(target)):
                return found
            path_fields.pop()
        path_types.pop()
        return None

    for root in types.get("Query", {}).get("fields", []):
        target = object_target(root, types)
        path_types[:], path_fields[:] = ["Query"], [root["name"]]
        visited.clear()
        if target is not None and (found := walk(target)):
            yield found
