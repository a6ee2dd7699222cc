"""Query limits refused before anything runs (docs/rules.md, "Protection"): depth, aliases,
tokens, batches and page sizes, through the real app and through `ProbeQuery`
(tests/support/protection.py), whose resolvers record that they ran."""
from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query

from domain.ids import encode_id
from tests.support.client import GraphQLClient, without_cost
from tests.support.protection import (
    DEEP_INTROSPECTION,
    DEEP_UNKNOWN,
    FRAGMENT_ALIASES,
    NODE,
    NODE_ALIASES,
    THIRTY_ALIASES,
    THOUSAND_ALIASES,
    TOO_MANY_TOKENS,
    TYPE_GRAPH,
    assert_rejected,
    codes,
    field_cycles,
    nested,
    probe_client,
    probe_ran,
    served_fields,
)


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
    for prefix, loop in field_cycles(await gql.data(TYPE_GRAPH)):
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
