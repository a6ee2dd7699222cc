"""The cost limit: nested lists cannot multiply into unbounded work (QUERY_REJECTED before
anything runs); ordinary storefront pages stay well under it."""
from __future__ import annotations

from typing import Any

from graphql import parse

from schema.limits import query_cost
from tests.support.factories import make_account, make_product

NESTED = """{ products(first: 100) { edges { node { seller { products(first: 100) { edges {
  node { seller { products(first: 100) { edges { node { id } } } } } } } } } } } }"""
PAGE = """{ products(first: 50) { totalCount edges { node { name priceRange { min { amount } }
  seller { displayName } category { name } images { url }
  variants { sku quantityAvailable price { amount } } } } } }"""


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
