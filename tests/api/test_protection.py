"""Protecting the service (docs/rules.md, "Protection"): query limits refused before anything
runs, batches, masked faults, rate limit, GET mutations, suggestions, introspection, CORS.

Most tests go through the real app. Where the served schema does not (yet) have what a test
needs (`products(first:)`, a mutation), the test says so and skips; the same protections are
also exercised, always, through `ProbeQuery`, a small schema served by the real view
(MarketplaceGraphQL) with the real extensions, whose resolvers record that they ran.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import strawberry
import uvicorn
from graphql import get_introspection_query
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import Info
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from app import RequestIdMiddleware
from domain.errors import AuthenticationRequired, PermissionDenied
from domain.ids import encode_id
from web.graphql_view import MarketplaceGraphQL
from resolvers.node import NODE_RESOLVERS
from schema.protection import protection_extensions
from tests.support.client import GraphQLClient, without_cost
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


def _ran(info: Info, name: str) -> None:
    info.context.runtime.extras.setdefault("probe_ran", []).append(name)


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
        return len(info.context.runtime.extras["probe_ran"])


def probe_app(runtime: Any, extensions: tuple[Any, ...] = (), **overrides: Any) -> Starlette:
    """ProbeQuery behind the real view, extensions and request-id middleware, on a copy of the
    app's runtime (same database and clock; own settings, limiter and metrics)."""
    settings = replace(runtime.settings, **overrides)
    probe_runtime = dataclasses.replace(runtime, settings=settings, extras={})
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
    return transport.app.state.runtime.extras.get("probe_ran", [])  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------------- depth


async def test_fifty_deep_introspection_is_rejected_before_running(gql: GraphQLClient,
                                                                   statements: Any) -> None:
    statements.reset()
    assert_rejected(await gql(DEEP_INTROSPECTION))
    assert statements.count == 0


async def test_fifty_deep_query_of_served_fields_is_rejected_unrun(gql: GraphQLClient,
                                                                   statements: Any) -> None:
    # A path of served fields that loops (e.g. products > edges > node > seller > products),
    # from a root field whose resolver runs statements even on an empty database.
    for prefix, loop in _field_cycles(await gql.data(TYPE_GRAPH)):
        fields = prefix + loop * 50
        statements.reset()
        shallow = await gql(nested(fields[:12]))
        if statements.count and not shallow.get("errors"):
            break
    else:
        pytest.skip("no looping path of served fields that runs statements anonymously")
    statements.reset()
    body = await gql(nested(fields[:50]))
    assert_rejected(body)
    assert body["errors"][0]["message"] == "The query is nested 50 levels deep; the limit is 12."
    assert statements.count == 0


async def test_depth_limit_answers_alone_before_validation(gql: GraphQLClient) -> None:
    body = await gql(DEEP_UNKNOWN)
    assert_rejected(body)
    assert [e["message"] for e in body["errors"]] == [
        "The query is nested 50 levels deep; the limit is 12."]


async def test_graphiql_introspection_query_is_not_held_to_the_depth_limit(
        gql: GraphQLClient) -> None:
    # Its `ofType { ofType { ... } }` chains are deeper than 12; introspection fields are not
    # counted by the depth limit (as in strawberry's QueryDepthLimiter), their lists are
    # bounded by MaxIntrospectionDepthRule instead.
    data = await gql.data(get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_probe_depth_twelve_runs_and_fifty_is_rejected_unrun(runtime: Any) -> None:
    async with probe_client(runtime) as client:
        twelve = await client.data(nested(["probe"] + ["child"] * 11, "level"))
        assert probe_ran(client) == ["probe"] + ["child"] * 11
        assert twelve["probe"]["child"]["child"]
        probe_ran(client).clear()
        assert_rejected(await client(nested(["probe"] + ["child"] * 12, "level")))
        assert_rejected(await client(nested(["probe"] + ["child"] * 49, "level")))
        fragments = ("{ probe { ...A } } fragment A on Probe { child { ...B } } "
                     "fragment B on Probe { child { " + nested(["child"] * 11, "level")[2:] +
                     " } }")
        assert_rejected(await client(fragments))
        assert probe_ran(client) == []


# ----------------------------------------------------------------------------------- aliases


async def test_thousand_aliases_are_rejected(gql: GraphQLClient, statements: Any) -> None:
    statements.reset()
    assert_rejected(await gql(THOUSAND_ALIASES))  # over the token limit as well
    body = await gql(NODE_ALIASES)
    assert_rejected(body)
    assert body["errors"][0]["message"] == "The document uses 31 aliases; the limit is 30."
    body = await gql(FRAGMENT_ALIASES)  # a fragment's aliases count wherever it is spread
    assert_rejected(body)
    assert "32 aliases" in body["errors"][0]["message"]
    assert statements.count == 0


async def test_thirty_aliases_are_allowed(gql: GraphQLClient) -> None:
    assert len(await gql.data(THIRTY_ALIASES)) == 30


async def test_probe_many_aliases_run_nothing(runtime: Any) -> None:
    async with probe_client(runtime) as client:
        document = "{ " + " ".join(f"p{i}: probe {{ level }}" for i in range(31)) + " }"
        assert_rejected(await client(document))
        assert probe_ran(client) == []


# ------------------------------------------------------------------------------------ tokens


async def test_documents_over_the_token_limit_are_rejected(gql: GraphQLClient) -> None:
    body = await gql(TOO_MANY_TOKENS)
    assert_rejected(body)
    assert "more than 2000 tokens" in body["errors"][0]["message"]
    # comments are counted too (a flood of them costs the parser as much)
    assert_rejected(await gql("{" + "\n# padding" * 2001 + "\n __typename }"))
    near = "{" + "\n# padding" * 1990 + "\n __typename }"  # 1993 tokens
    assert (await gql.data(near))["__typename"] == "Query"


# ---------------------------------------------------------------------------------- batching


async def test_batch_of_five_hundred_is_a_clear_400_and_runs_nothing(
        gql: GraphQLClient, statements: Any) -> None:
    statements.reset()
    batch = [{"query": NODE, "variables": {"id": encode_id("Product", i + 1)}}
             for i in range(500)]
    response = await gql.http.post("/graphql", json=batch)
    assert response.status_code == 400
    body = response.json()
    assert body.get("data") is None
    assert codes(body) == ["QUERY_REJECTED"]
    assert "at most 10 operations; this one has 500" in body["errors"][0]["message"]
    assert statements.count == 0


async def test_batch_of_ten_runs(gql: GraphQLClient) -> None:
    response = await gql.http.post("/graphql", json=[{"query": "{ __typename }"}] * 10)
    assert response.status_code == 200
    assert [without_cost(b) for b in response.json()] == [{"data": {"__typename": "Query"}}] * 10


async def test_probe_batch_of_eleven_runs_nothing(runtime: Any) -> None:
    async with probe_client(runtime) as client:
        response = await client.http.post("/graphql", json=[{"query": "{ probe { level } }"}] * 11)
        assert response.status_code == 400
        assert codes(response.json()) == ["QUERY_REJECTED"]
        assert probe_ran(client) == []


@pytest.mark.parametrize("body", ["5", '"query"', "null", "[1, 2]", '[{"query": "{ a }"}, 3]'])
async def test_bodies_that_are_not_operations_are_a_400(gql: GraphQLClient, body: str) -> None:
    response = await gql.http.post("/graphql", content=body,
                                   headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON object" in response.text


# --------------------------------------------------------------------------------- page size


async def test_page_sizes_over_the_limit_are_rejected_unrun(gql: GraphQLClient,
                                                            statements: Any) -> None:
    if "first" not in (await served_fields(gql)).get("products", set()):
        pytest.skip("the served schema has no products(first:) yet")
    statements.reset()
    literal = await gql("{ products(first: 100000) { edges { node { id } } } }")
    assert_rejected(literal)
    assert literal["errors"][0]["message"] == (
        "A page holds between 0 and 100 items; 100000 were asked for.")
    assert_rejected(await gql("{ products(first: -1) { edges { node { id } } } }"))
    by_variable = "query P($n: Int) { products(first: $n) { edges { node { id } } } }"
    assert_rejected(await gql(by_variable, {"n": 100000}))
    assert_rejected(await gql(by_variable, {"n": -5}))
    by_default = "query P($n: Int = 5000) { products(first: $n) { edges { node { id } } } }"
    assert_rejected(await gql(by_default))
    assert statements.count == 0
    assert (await gql.data(by_variable, {"n": 100}))["products"]["edges"] == []


async def test_probe_page_sizes(runtime: Any) -> None:
    by_variable = "query P($n: Int!) { page(first: $n) }"
    async with probe_client(runtime) as client:
        assert_rejected(await client("{ page(first: 100000) }"))
        assert_rejected(await client("{ page(first: -1) }"))
        huge = await client("{ page(first: " + "9" * 400 + ") }")
        assert_rejected(huge)
        assert huge["errors"][0]["message"].endswith("9" * 400 + " were asked for.")
        assert_rejected(await client(by_variable, {"n": 101}))
        assert_rejected(await client(by_variable, {"n": 100000.0}))
        assert_rejected(await client("query P($n: Int = 101) { page(first: $n) }"))
        assert_rejected(await client("{ ...F } fragment F on ProbeQuery { page(first: 101) }"))
        assert probe_ran(client) == []
        assert len((await client.data(by_variable, {"n": 100}))["page"]) == 100
        assert (await client.data("{ page(first: 0) }"))["page"] == []
        # a variable of the wrong type is graphql-core's to refuse, not a page-size error
        wrong = await client(by_variable, {"n": "many"})
        assert wrong["data"] is None and "Int" in wrong["errors"][0]["message"]


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


# -------------------------------------------------------------------------------- rate limit


async def test_mutations_past_the_rate_limit_are_refused(make_app: Any, clock: Any,
                                                         runtime: Any) -> None:
    app = make_app(mutation_rate_limit_per_minute=3)
    async with http_client(app) as gql:
        if (await gql.data(MUTATION_FIELDS))["__schema"]["mutationType"] is None:
            pytest.skip("the served schema has no mutation yet")
        for _ in range(3):
            assert (await gql.data(PING))["__typename"] == "Mutation"
        refused = await gql(PING)
        assert refused["data"] is None
        [error] = refused["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= error["extensions"]["retryAfterSeconds"] <= 60
        assert (await gql.data("{ __typename }")) == {"__typename": "Query"}  # queries are not
        clock.advance(seconds=30)
        assert codes(await gql(PING)) == ["RATE_LIMITED"]
        clock.advance(seconds=31)  # the first three have left the window
        assert (await gql.data(PING))["__typename"] == "Mutation"


async def test_the_rate_limit_is_per_user_then_per_address(make_app: Any, runtime: Any) -> None:
    from tests.support.factories import make_account

    app = make_app(mutation_rate_limit_per_minute=2)
    # Tokens of real accounts: a token of an account that does not exist is refused
    # (docs/rules.md, "Sessions and secrets") and would be counted by address.
    alice = (await make_account(runtime)).token
    bob = (await make_account(runtime)).token
    async with http_client(app) as gql, http_client(app, ("10.0.0.9", 1)) as other_address:
        if (await gql.data(MUTATION_FIELDS))["__schema"]["mutationType"] is None:
            pytest.skip("the served schema has no mutation yet")
        for _ in range(2):
            await gql.data(PING, token=alice)
        assert codes(await gql(PING, token=alice)) == ["RATE_LIMITED"]
        assert codes(await other_address(PING, token=alice)) == ["RATE_LIMITED"]  # same user
        await gql.data(PING, token=bob)
        await gql.data(PING)  # anonymous: the address has its own window
        assert codes(await gql(PING, token="forged.token.value")) == []  # counted by address
        assert codes(await gql(PING)) == ["RATE_LIMITED"]
        await other_address.data(PING)


async def test_each_aliased_mutation_counts(make_app: Any, statements: Any) -> None:
    app = make_app(mutation_rate_limit_per_minute=3)
    async with http_client(app) as gql:
        mutation = (await gql.data(MUTATION_FIELDS))["__schema"]["mutationType"]
        if mutation is None or "login" not in {f["name"] for f in mutation["fields"]}:
            pytest.skip("the served schema has no login mutation yet")
        four = "mutation { " + " ".join(
            f'l{i}: login(email: "nobody@example.com", password: "x") {{ __typename }}'
            for i in range(4)) + " }"
        counter = app.state.runtime.db.statements
        counter.reset()
        body = await gql(four)
        assert body["data"] is None and codes(body) == ["RATE_LIMITED"]
        assert counter.count == 0


async def test_probe_refused_mutation_does_not_run(runtime: Any, clock: Any) -> None:
    async with probe_client(runtime, mutation_rate_limit_per_minute=2) as client:
        batch = [{"query": "mutation { bump }"}] * 3
        answers = (await client.http.post("/graphql", json=batch)).json()
        assert sorted(codes(a) for a in answers) == [[], [], ["RATE_LIMITED"]]
        assert probe_ran(client) == ["bump", "bump"]
        assert codes(await client("mutation { a: bump b: bump }")) == ["RATE_LIMITED"]
        clock.advance(seconds=61)
        assert (await client.data("mutation { a: bump b: bump }")) == {"a": 3, "b": 4}
        assert probe_ran(client) == ["bump"] * 4


async def test_probe_rate_limit_zero_means_off(runtime: Any) -> None:
    async with probe_client(runtime, mutation_rate_limit_per_minute=0) as client:
        for _ in range(5):
            await client.data("mutation { bump }")


# -------------------------------------------------------------------------- GET, suggestions


async def test_mutations_over_get_are_refused_with_a_4xx(gql: GraphQLClient) -> None:
    response = await gql.http.get("/graphql", params={"query": PING})
    assert 400 <= response.status_code < 500
    assert "mutations are not allowed" in response.text
    query = await gql.http.get("/graphql", params={"query": "{ __typename }"})
    assert without_cost(query.json()) == {"data": {"__typename": "Query"}}


async def test_probe_mutation_over_get_does_not_run(runtime: Any) -> None:
    async with probe_client(runtime) as client:
        response = await client.http.get("/graphql", params={"query": "mutation { bump }"})
        assert response.status_code == 400
        assert probe_ran(client) == []


SUGGESTIBLE = ['{ nod }', '{ node(i: "x") { id } }', 'query($x: Strin) { __typename }']


async def test_suggestions_are_given_while_introspection_is_on(gql: GraphQLClient) -> None:
    messages = [e["message"] for d in SUGGESTIBLE for e in (await gql(d))["errors"]]
    assert any("Did you mean 'node'?" in m for m in messages)


async def test_no_suggestions_and_no_introspection_when_it_is_off(make_app: Any) -> None:
    async with http_client(make_app(introspection=False)) as gql:
        for document in SUGGESTIBLE:
            body = await gql(document)
            assert body["errors"] and "Did you mean" not in str(body), body
            assert set(codes(body)) == {"QUERY_REJECTED"}
        body = await gql("{ __schema { types { name } } }")
        assert body.get("data") is None and "introspection" in body["errors"][0]["message"]
        assert codes(await gql('{ __type(name: "Query") { name } }')) == ["QUERY_REJECTED"]
        assert (await gql.data("{ __typename }")) == {"__typename": "Query"}


async def test_graphiql_is_served_by_default_and_can_be_switched_off(
        gql: GraphQLClient, make_app: Any) -> None:
    page = await gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    async with http_client(make_app(graphiql=False)) as off:
        assert (await off.http.get("/graphql", headers={"Accept": "text/html"})
                ).status_code == 404


# -------------------------------------------------------------------------------------- CORS

PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type"}


async def test_cors_default_allows_no_other_origin(gql: GraphQLClient) -> None:
    preflight = await gql.http.options("/graphql", headers={
        "Origin": "https://evil.example", **PREFLIGHT})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    post = await gql.http.post("/graphql", json={"query": "{ __typename }"},
                               headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in post.headers


async def test_cors_allows_the_configured_origins_only(make_app: Any) -> None:
    app = make_app(cors_origins=("https://Shop.example:443", "http://localhost:3000"))
    async with http_client(app) as gql:
        for origin in ("https://shop.example", "http://localhost:3000"):
            preflight = await gql.http.options("/graphql", headers={"Origin": origin,
                                                                    **PREFLIGHT})
            assert preflight.status_code == 200
            assert preflight.headers["access-control-allow-origin"] == origin
            assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
            post = await gql.http.post("/graphql", json={"query": "{ __typename }"},
                                       headers={"Origin": origin})
            assert post.headers["access-control-allow-origin"] == origin
            assert "x-request-id" in post.headers["access-control-expose-headers"].lower()
        refused = await gql.http.options("/graphql", headers={
            "Origin": "https://evil.example", **PREFLIGHT})
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers


async def test_a_cors_origin_that_is_not_an_origin_stops_the_start(make_app: Any) -> None:
    with pytest.raises(ValueError, match="allowed_origins"):
        make_app(cors_origins=("https://shop.example/path",))


# ------------------------------------------------------------------------------------ helpers


def _object_target(field: dict[str, Any], types: dict[str, Any]) -> str | None:
    if any(a["type"]["kind"] == "NON_NULL" and a["defaultValue"] is None for a in field["args"]):
        return None  # needs an argument we could not make up
    ref = field["type"]
    while ref["kind"] in ("NON_NULL", "LIST"):
        ref = ref["ofType"]
    return ref["name"] if ref["name"] in types else None


def _field_cycles(data: dict[str, Any]) -> Iterator[tuple[list[str], list[str]]]:
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
            target = _object_target(field, types)
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
        target = _object_target(root, types)
        path_types[:], path_fields[:] = ["Query"], [root["name"]]
        visited.clear()
        if target is not None and (found := walk(target)):
            yield found
