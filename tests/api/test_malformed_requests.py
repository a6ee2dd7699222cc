"""Malformed input is refused as such, never an INTERNAL fault: operations of a batch
with a non-string query or non-object variables (400, as strawberry answers a single
operation), and a search holding U+0000 between words (PostgreSQL text cannot hold it)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.client import without_cost
from tests.support.factories import make_account, make_product

QUERY = "query($f: Int) { products(first: $f) { totalCount } }"


@pytest.mark.parametrize("operation", [
    {"query": ["{ categories { id } }"]},
    {"query": 5},
    {"query": QUERY, "variables": "x"},
    {"query": QUERY, "variables": [1]},
    {"query": QUERY, "extensions": 5},
])
async def test_a_batch_with_a_malformed_operation_is_a_400(gql: Any, operation: Any) -> None:
    response = await gql.http.post("/graphql", json=[{"query": QUERY}, operation])
    assert response.status_code == 400, response.text
    assert "must be" in response.text


async def test_a_well_formed_batch_still_runs(gql: Any) -> None:
    response = await gql.http.post("/graphql", json=[
        {"query": QUERY, "variables": {"f": 1}}, {"query": "{ categories { id } }"}])
    assert response.status_code == 200
    assert [without_cost(b) for b in response.json()] == [
        {"data": {"products": {"totalCount": 0}}},
        {"data": {"categories": []}}]


async def test_a_search_with_nul_between_words_is_no_fault(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id, name="Wireless Headphones")
    search = """query($s: String) { products(filter: {search: $s}) {
      totalCount edges { node { name } } } }"""
    for text in ("wireless\u0000headphones", "head\u0000", "\u0000headphones"):
        body = await gql(search, {"s": text})
        assert not body.get("errors"), body
    # NUL characters are removed from every string input (schema/sanitize.py)
    body = await gql.data(search, {"s": "head\u0000phones"})
    assert [e["node"]["name"] for e in body["products"]["edges"]] == ["Wireless Headphones"]
