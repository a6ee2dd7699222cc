"""The cost limit: nested lists cannot multiply into unbounded work (QUERY_REJECTED before
anything runs); ordinary storefront pages stay well under it. Every answer carries
`extensions.cost` once the document's cost is known, and a document seen before is neither
parsed nor validated again (docs/rules.md, "Documents and persisted queries")."""
from __future__ import annotations

from typing import Any

import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import parse

import schema.limits as limits
from adapters.lru import LRU
from schema.limits import query_cost
from tests.support.factories import make_account, make_product

NESTED = """{ products(first: 100) { edges { node { seller { products(first: 100) { edges {
  node { seller { products(first: 100) { edges { node { id } } } } } } } } } } } }"""
PAGE = """{ products(first: 50) { totalCount edges { node { name priceRange { min { amount } }
  seller { displayName } category { name } images { url }
  variants { sku quantityAvailable price { amount } } } } } }"""
PAGE20 = "{ products(first: 20) { edges { node { id } } } }"
BY_VARIABLE = "query($n: Int) { products(first: $n) { edges { node { id } } } }"


def test_cost_counts_fields_times_enclosing_pages() -> None:
    assert query_cost(parse("{ a b { c } }"), 100) == 3
    assert query_cost(parse("{ products(first: 10) { edges { node { id } } } }"), 100) == \
        1 + 10 * (1 + 1 + 1)
    assert query_cost(parse("query($n: Int) { products(first: $n) { x } }"), 100) == 101
    assert query_cost(parse("{ products { edges { node { id } } } }"), 100) == 1 + 20 * 3
    fragment = "{ ...F ...F } fragment F on Query { products(first: 2) { id } }"
    assert query_cost(parse(fragment), 100) == 2 * (1 + 2)


async def test_deeply_nested_pages_are_rejected_without_running(gql: Any, runtime: Any,
                                                                statements: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    for _ in range(3):
        await make_product(runtime, seller.seller_id)
    statements.reset()
    body = await gql(NESTED)
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_REJECTED"
    assert "field values" in body["errors"][0]["message"]
    assert statements.count == 0


async def test_a_full_storefront_page_is_within_the_limit(gql: Any, runtime: Any) -> None:
    assert query_cost(parse(PAGE), 100) < runtime.settings.max_query_cost // 10
    assert (await gql(PAGE)).get("errors") is None


async def test_prices_are_capped_so_every_line_fits_graphql_int(gql: Any, runtime: Any) -> None:
    from domain.catalog.rules import MAX_PRICE_MINOR

    seller = await make_account(runtime, "SELLER")
    create = """mutation($p: Int!) { productCreate(input: {name: "Yacht", status: ACTIVE,
      variants: [{sku: "YACHT-1", name: "Std", priceMinorUnits: $p, stock: 1}]}) {
      product { id } userErrors { code field } } }"""
    too_much = await gql.data(create, {"p": MAX_PRICE_MINOR + 1}, token=seller.token)
    assert [e["field"] for e in too_much["productCreate"]["userErrors"]] == [
        ["input", "variants", "0", "priceMinorUnits"]]
    ok = await gql.data(create, {"p": MAX_PRICE_MINOR}, token=seller.token)
    assert ok["productCreate"]["userErrors"] == []
    assert MAX_PRICE_MINOR * 100 <= 2**31 - 1



def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_an_answer_carries_its_cost_and_the_maximum(gql: Any) -> None:
    body = await gql("{ __typename }")
    assert body["data"] == {"__typename": "Query"}
    assert body["extensions"]["cost"] == {"requestedQueryCost": 1, "maximumAvailable": 10_000}
    # products 1 + 20 items x (edges 1 + node 1 + id 1)
    body = await gql(PAGE20)
    assert not body.get("errors")
    assert body["extensions"]["cost"] == {"requestedQueryCost": 61,
                                          "maximumAvailable": 10_000}


async def test_refused_documents_carry_the_cost_that_was_computed(make_app: Any) -> None:
    import httpx

    from tests.support.client import GraphQLClient

    app = make_app(max_query_cost=50)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        gql = GraphQLClient(http)
        body = await gql(PAGE20)
        assert codes(body) == ["QUERY_REJECTED"] and body["data"] is None
        assert body["extensions"]["cost"] == {"requestedQueryCost": 61, "maximumAvailable": 50}
        # Invalid against the schema: answered with the cost too.
        body = await gql("{ nothingHere }")
        assert codes(body) == ["QUERY_REJECTED"]
        assert body["extensions"]["cost"]["requestedQueryCost"] == 1
        # A document that does not parse has no cost.
        body = await gql("{ products( }")
        assert codes(body) == ["QUERY_REJECTED"]
        assert "cost" not in (body.get("extensions") or {})


async def test_a_repeated_document_is_parsed_and_validated_once(
        gql: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    validated: list[Any] = []
    real_parse, real_validate = strawberry_schema.parse, limits.validate_document

    def counting_parse(source: Any, **options: Any) -> Any:
        parsed.append(str(source))
        return real_parse(source, **options)

    def counting_validate(*args: Any) -> Any:
        validated.append(args[1])
        return real_validate(*args)

    monkeypatch.setattr(strawberry_schema, "parse", counting_parse)
    monkeypatch.setattr(limits, "validate_document", counting_validate)
    for _ in range(3):
        assert (await gql.data(PAGE20))["products"]["edges"] == []
    assert (parsed, len(validated)) == ([PAGE20], 1)
    # An invalid document: refused every time, with its code, still checked once.
    for _ in range(2):
        body = await gql("{ nothingHere }")
        assert codes(body) == ["QUERY_REJECTED"]
        assert "nothingHere" in body["errors"][0]["message"]
    assert len(parsed) == 2 and len(validated) == 2


async def test_page_sizes_in_variables_are_checked_on_every_request(gql: Any) -> None:
    assert (await gql.data(BY_VARIABLE, {"n": 5}))["products"]["edges"] == []
    refused = await gql(BY_VARIABLE, {"n": 100_000})
    assert codes(refused) == ["QUERY_REJECTED"]
    assert (await gql.data(BY_VARIABLE, {"n": 100}))["products"]["edges"] == []


def test_the_lru_forgets_the_least_recently_used_entry() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    empty: LRU[str, int] = LRU(0)
    empty.put("a", 1)
    assert empty.get("a") is None
