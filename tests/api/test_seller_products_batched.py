"""`Seller.products` under a product list: every seller's first page comes from one windowed
statement (no query per seller), and paging on from its cursor continues where it stopped."""
from __future__ import annotations

from typing import Any

from tests.support.factories import make_account, make_product

QUERY = """{ products(first: 50) { edges { node { seller { displayName
  products(first: 2) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { name } } } } } } } }"""
NEXT = """query($id: ID!, $after: String) { node(id: $id) { ... on Seller {
  products(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage } } } } }"""


async def _sellers(runtime: Any, clock: Any, count: int) -> list[Any]:
    sellers = []
    for i in range(count):
        seller = await make_account(runtime, "SELLER")
        for j in range(3):
            clock.advance(seconds=1)
            await make_product(runtime, seller.seller_id, name=f"S{i} P{j}", images=0)
        await make_product(runtime, seller.seller_id, name=f"S{i} draft", status="DRAFT")
        sellers.append(seller)
    return sellers


async def test_statements_do_not_grow_with_the_sellers(gql: Any, runtime: Any, clock: Any,
                                                       statements: Any) -> None:
    counts = {}
    for total in (1, 6):
        await _sellers(runtime, clock, total - len(counts) if counts else 1)
        statements.reset()
        body = await gql.data(QUERY)
        counts[total] = statements.count
        nodes = [e["node"]["seller"] for e in body["products"]["edges"]]
        for seller in nodes:
            shown = seller["products"]
            assert shown["totalCount"] == 3  # ACTIVE only
            assert [e["node"]["name"] for e in shown["edges"]] == sorted(
                [e["node"]["name"] for e in shown["edges"]], reverse=True)
            assert shown["pageInfo"]["hasNextPage"] is True
    assert counts[1] == counts[6], counts


async def test_paging_on_from_a_batched_first_page(gql: Any, runtime: Any, clock: Any) -> None:
    from domain.ids import encode_id

    seller = (await _sellers(runtime, clock, 1))[0]
    first = (await gql.data(QUERY))["products"]["edges"][0]["node"]["seller"]["products"]
    assert [e["node"]["name"] for e in first["edges"]] == ["S0 P2", "S0 P1"]
    rest = (await gql.data(NEXT, {"id": encode_id("Seller", seller.seller_id),
                                  "after": first["pageInfo"]["endCursor"]}))["node"]["products"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["S0 P0"]
    assert rest["pageInfo"]["hasNextPage"] is False
