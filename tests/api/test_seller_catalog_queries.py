"""sellerProducts (the seller's own products in every status) and adminProducts (every
product), with their role checks."""
from __future__ import annotations

from typing import Any

from domain.ids import encode_id
from tests.support.factories import make_account, make_product

SELLER_PRODUCTS = """query($status: ProductStatus, $first: Int, $after: String) {
  sellerProducts(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name status } } } }"""
ADMIN_PRODUCTS = """query($seller: ID, $first: Int, $after: String) {
  adminProducts(sellerId: $seller, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name status } } } }"""


async def test_seller_products(gql: Any, runtime: Any, clock: Any) -> None:
    me = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    for name, status in (("Live", "ACTIVE"), ("Draft", "DRAFT"), ("Gone", "ARCHIVED")):
        await make_product(runtime, me.seller_id, name=name, status=status)
        clock.advance(seconds=1)
    await make_product(runtime, other.seller_id, name="Not mine")
    mine = (await gql.data(SELLER_PRODUCTS, token=me.token))["sellerProducts"]
    assert [e["node"]["name"] for e in mine["edges"]] == ["Gone", "Draft", "Live"]
    assert mine["totalCount"] == 3
    drafts = (await gql.data(SELLER_PRODUCTS, {"status": "DRAFT"},
                             token=me.token))["sellerProducts"]
    assert [e["node"]["name"] for e in drafts["edges"]] == ["Draft"]
    page = (await gql.data(SELLER_PRODUCTS, {"first": 2}, token=me.token))["sellerProducts"]
    rest = (await gql.data(SELLER_PRODUCTS, {"first": 2, "after": page["pageInfo"]["endCursor"]},
                           token=me.token))["sellerProducts"]
    assert [e["node"]["name"] for e in page["edges"] + rest["edges"]] == ["Gone", "Draft", "Live"]


async def test_seller_products_is_for_sellers(gql: Any, runtime: Any) -> None:
    for account_type in ("BUYER", "ADMIN"):
        account = await make_account(runtime, account_type)
        body = await gql(SELLER_PRODUCTS, token=account.token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(SELLER_PRODUCTS)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admin_products(gql: Any, runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    one, two = await make_account(runtime, "SELLER"), await make_account(runtime, "SELLER")
    await make_product(runtime, one.seller_id, name="A live")
    await make_product(runtime, one.seller_id, name="A draft", status="DRAFT")
    await make_product(runtime, two.seller_id, name="B archived", status="ARCHIVED")
    every = (await gql.data(ADMIN_PRODUCTS, token=admin.token))["adminProducts"]
    assert every["totalCount"] == 3
    assert {e["node"]["status"] for e in every["edges"]} == {"ACTIVE", "DRAFT", "ARCHIVED"}
    ones = (await gql.data(ADMIN_PRODUCTS, {"seller": encode_id("Seller", one.seller_id)},
                           token=admin.token))["adminProducts"]
    assert sorted(e["node"]["name"] for e in ones["edges"]) == ["A draft", "A live"]
    junk = (await gql.data(ADMIN_PRODUCTS, {"seller": "junk"},
                           token=admin.token))["adminProducts"]
    assert junk["edges"] == [] and junk["totalCount"] == 0
    for account in (one, await make_account(runtime)):
        body = await gql(ADMIN_PRODUCTS, token=account.token)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(ADMIN_PRODUCTS)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
