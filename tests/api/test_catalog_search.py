"""Full-text search of `products`: stemming, name and description, web-search syntax (AND,
"phrases", or, -exclusion), hostile input never a 500, RELEVANCE order, and (PostgreSQL) the
GIN index serving the query."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text

from persistence.reads.catalog_listing import ProductQuery, plan
from persistence.tables import products
from tests.support.factories import make_account, make_category, make_product

SEARCH = """query($q: String, $sort: ProductSort, $after: String, $first: Int) {
  products(first: $first, after: $after, filter: {search: $q}, sort: $sort) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"""


async def names(gql: Any, q: str, sort: str = "NEWEST", first: int = 20) -> list[str]:
    body = await gql.data(SEARCH, {"q": q, "sort": sort, "first": first})
    return [e["node"]["name"] for e in body["products"]["edges"]]


async def _catalogue(runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id, name="Wireless Headphones",
                       description="Over-ear, noise cancelling, 30 hour battery.")
    await make_product(runtime, seller.seller_id, name="Bluetooth Speaker",
                       description="Portable speaker with deep bass.")
    await make_product(runtime, seller.seller_id, name="Trail Running Shoes",
                       description="Grippy soles for muddy trails.")
    await make_product(runtime, seller.seller_id, name="Draft Headphones Stand",
                       description="Not listed yet.", status="DRAFT")
    await make_product(runtime, seller.seller_id, name="Archived Headphones Cable",
                       description="Gone.", status="ARCHIVED")


async def test_search_stems_and_reads_name_and_description(gql: Any, runtime: Any) -> None:
    await _catalogue(runtime)
    assert await names(gql, "headphone") == ["Wireless Headphones"]
    assert await names(gql, "HEADPHONES") == ["Wireless Headphones"]
    assert await names(gql, "bass") == ["Bluetooth Speaker"]
    assert await names(gql, "portable speakers") == ["Bluetooth Speaker"]
    assert await names(gql, "trail") == ["Trail Running Shoes"]
    # Every word must match; DRAFT and ARCHIVED products are never listed.
    assert await names(gql, "headphones speaker") == []
    assert await names(gql, "stand") == []
    # A blank search is no filter at all.
    assert len(await names(gql, "   ")) == 3


@pytest.mark.parametrize("hostile", [
    '"', '""', "*", "AND(", "OR", "NOT", "NEAR(a b)", "headphones*", '"headphones',
    "name:headphones", "^headphones", "-", "(", ")", "'; DROP TABLE products; --",
    "{name description}: x", "\\", "a" * 2000, "ümlaut ☃", "%", "_", "\x00",
])
async def test_hostile_search_input_is_never_a_fault(gql: Any, runtime: Any,
                                                     hostile: str) -> None:
    await _catalogue(runtime)
    body = await gql(SEARCH, {"q": hostile, "first": 5})
    assert not body.get("errors"), body
    assert isinstance(body["data"]["products"]["edges"], list)


async def test_hostile_input_still_finds_the_words_inside(gql: Any, runtime: Any) -> None:
    await _catalogue(runtime)
    assert await names(gql, '"headphones') == ["Wireless Headphones"]
    assert await names(gql, "headphones*") == ["Wireless Headphones"]
    assert await names(gql, "headphones NEAR(") == []  # "near" is a word to match, not syntax
    assert await names(gql, "name:headphones") == []  # no column filters: both words needed
    assert await names(gql, '"') == []


async def test_web_search_syntax_on_both_databases(gql: Any, runtime: Any) -> None:
    await _catalogue(runtime)
    assert sorted(await names(gql, "headphones or speaker")) == [
        "Bluetooth Speaker", "Wireless Headphones"]
    assert await names(gql, '"wireless headphones"') == ["Wireless Headphones"]
    assert await names(gql, '"headphones wireless"') == []  # a phrase keeps its order
    assert await names(gql, "headphones -wireless") == []
    assert await names(gql, "speaker or headphones -wireless") == ["Bluetooth Speaker"]


async def test_relevance_orders_by_rank_and_pages(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    best = await make_product(runtime, seller.seller_id, name="Studio Headphones",
                              description="Headphones for the studio: closed-back headphones.")
    await make_product(runtime, seller.seller_id, name="Travel Case",
                       description="A hard shell case that fits most headphones and cables "
                       "and chargers and adapters, with a zip and a strap.")
    await make_product(runtime, seller.seller_id, name="Cable Organiser",
                       description="Keeps cables tidy.")
    ranked = await names(gql, "headphones", "RELEVANCE")
    assert ranked == ["Studio Headphones", "Travel Case"]
    first = await gql.data(SEARCH, {"q": "headphones", "sort": "RELEVANCE", "first": 1})
    page = first["products"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    second = await gql.data(SEARCH, {"q": "headphones", "sort": "RELEVANCE", "first": 1,
                                     "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["name"] for e in second["products"]["edges"]] == ["Travel Case"]
    assert not second["products"]["pageInfo"]["hasNextPage"]
    assert best.id


async def test_search_combines_with_filters_sorts_and_pages(gql: Any, runtime: Any) -> None:
    one, two = await make_account(runtime, "SELLER"), await make_account(runtime, "SELLER")
    audio = await make_category(runtime, slug="audio")
    for i, price in enumerate([5000, 1000, 3000, 2000, 4000]):
        await make_product(runtime, (one if i % 2 else two).seller_id, prices=[price],
                           name=f"Headphones {price}", category_id=audio,
                           stock_each=0 if price == 3000 else 5)
    await make_product(runtime, one.seller_id, name="Headphones elsewhere", prices=[10])
    await make_product(runtime, one.seller_id, name="Speaker", prices=[10], category_id=audio)
    query = """query($after: String) { products(first: 2, after: $after, sort: PRICE_ASC,
      filter: {search: "headphone", categorySlug: "audio", minPrice: 1500, inStockOnly: true})
      { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"""
    first = (await gql.data(query))["products"]
    assert first["totalCount"] == 3
    rest = (await gql.data(query, {"after": first["pageInfo"]["endCursor"]}))["products"]
    assert [e["node"]["name"] for e in first["edges"] + rest["edges"]] == [
        "Headphones 2000", "Headphones 4000", "Headphones 5000"]
    assert not rest["pageInfo"]["hasNextPage"]


async def test_relevance_without_search_is_newest(gql: Any, runtime: Any, clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    for name in ("Old", "Middle", "New"):
        await make_product(runtime, seller.seller_id, name=name)
        clock.advance(minutes=1)
    body = await gql.data(SEARCH, {"q": None, "sort": "RELEVANCE"})
    assert [e["node"]["name"] for e in body["products"]["edges"]] == ["New", "Middle", "Old"]


async def test_postgresql_search_uses_the_gin_index(runtime: Any) -> None:
    if runtime.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    found = plan(ProductQuery(search="wireless headphones", statuses=None), "postgresql")
    stmt = select(products.c.id).select_from(found.source).where(*found.where)
    sql = str(stmt.compile(runtime.db.read_engine.sync_engine,
                           compile_kwargs={"literal_binds": True}))
    async with runtime.db.read_engine.connect() as conn:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        explained = "\n".join(r[0] for r in await conn.execute(text("EXPLAIN " + sql)))
    assert "ix_products_search" in explained, explained
