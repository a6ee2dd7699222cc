"""Protecting the service (docs/rules.md, "Protection"): the mutation rate limit, mutations over
GET, suggestions and introspection, GraphiQL, CORS. Query limits are in test_query_limits.py,
masked faults in test_masked_faults.py."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.client import GraphQLClient, without_cost
from tests.support.protection import (
    MUTATION_FIELDS,
    PING,
    codes,
    http_client,
    probe_client,
    probe_ran,
)


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
