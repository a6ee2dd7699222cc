"""`products`: every filter, every sort, keyset pages (complete, in order, stable under
inserts), totalCount, page-size and cursor errors."""
from __future__ import annotations

from typing import Any

from domain.ids import encode_id
from tests.support.factories import make_account, make_category, make_product

LIST = """query($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } } } }"""


async def listed(gql: Any, **variables: Any) -> dict[str, Any]:
    return (await gql.data(LIST, variables))["products"]  # type: ignore[no-any-return]


async def names(gql: Any, **variables: Any) -> list[str]:
    return [e["node"]["name"] for e in (await listed(gql, **variables))["edges"]]


async def walk(gql: Any, page_size: int, **variables: Any) -> list[str]:
    """Every page, following endCursor until hasNextPage is false."""
    seen: list[str] = []
    after = None
    while True:
        page = await listed(gql, first=page_size, after=after, **variables)
        seen += [e["node"]["name"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]


async def test_only_active_products_are_listed(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id, name="Live")
    await make_product(runtime, seller.seller_id, name="Draft", status="DRAFT")
    await make_product(runtime, seller.seller_id, name="Gone", status="ARCHIVED")
    page = await listed(gql)
    assert [e["node"]["name"] for e in page["edges"]] == ["Live"]
    assert page["totalCount"] == 1


async def test_category_and_seller_filters(gql: Any, runtime: Any) -> None:
    one, two = await make_account(runtime, "SELLER"), await make_account(runtime, "SELLER")
    audio = await make_category(runtime, slug="audio")
    await make_category(runtime, slug="empty")
    await make_product(runtime, one.seller_id, name="A1", category_id=audio)
    await make_product(runtime, one.seller_id, name="A2")
    await make_product(runtime, two.seller_id, name="B1", category_id=audio)
    assert sorted(await names(gql, filter={"categorySlug": "audio"})) == ["A1", "B1"]
    assert await names(gql, filter={"categorySlug": "empty"}) == []
    assert await names(gql, filter={"categorySlug": "no-such-thing"}) == []
    seller_one = encode_id("Seller", one.seller_id)
    assert sorted(await names(gql, filter={"sellerId": seller_one})) == ["A1", "A2"]
    assert await names(gql, filter={"sellerId": seller_one, "categorySlug": "audio"}) == ["A1"]
    page = await listed(gql, filter={"sellerId": seller_one})
    assert page["totalCount"] == 2
    for junk in ("not-an-id", encode_id("Product", 1), encode_id("Seller", 99999), ""):
        page = await listed(gql, filter={"sellerId": junk})
        assert page["edges"] == [] and page["totalCount"] == 0


async def test_price_filter_matches_when_some_variant_is_in_range(gql: Any,
                                                                  runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id, name="Cheap", prices=[500])
    await make_product(runtime, seller.seller_id, name="Spread", prices=[1000, 10000])
    await make_product(runtime, seller.seller_id, name="Dear", prices=[20000])

    async def between(low: int | None, high: int | None) -> list[str]:
        return sorted(await names(gql, filter={"minPrice": low, "maxPrice": high}))

    assert await between(None, 500) == ["Cheap"]
    assert await between(501, None) == ["Dear", "Spread"]
    assert await between(1000, 1000) == ["Spread"]
    assert await between(10000, 20000) == ["Dear", "Spread"]
    assert await between(5000, 6000) == []  # between Spread's variants, none inside
    assert await between(6000, 5000) == []
    assert await between(None, None) == ["Cheap", "Dear", "Spread"]
    page = await listed(gql, filter={"minPrice": 5000, "maxPrice": 6000})
    assert page["totalCount"] == 0


async def test_in_stock_only(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id, name="Stocked", stock_each=3)
    await make_product(runtime, seller.seller_id, name="Partly", prices=[100, 200],
                       stock_each=[0, 1])
    await make_product(runtime, seller.seller_id, name="Empty", stock_each=0)
    held = await make_product(runtime, seller.seller_id, name="All held", stock_each=2)
    await runtime.transaction(lambda uow: _reserve_and_commit(uow, held.variant_ids[0], 2))
    assert sorted(await names(gql, filter={"inStockOnly": True})) == ["Partly", "Stocked"]
    assert len(await names(gql, filter={"inStockOnly": False})) == 4
    assert (await listed(gql, filter={"inStockOnly": True}))["totalCount"] == 2


async def _reserve_and_commit(uow: Any, variant_id: int, quantity: int) -> None:
    assert await uow.inventory.reserve(variant_id, quantity) is not None
    await uow.commit()


async def _sortable(runtime: Any, clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    rows = [("Delta", 400), ("Alpha", 100), ("Charlie", 300), ("Bravo", 100), ("Echo", 500),
            ("Foxtrot", 300), ("Golf", 700)]
    for name, price in rows:
        await make_product(runtime, seller.seller_id, name=name, prices=[price, price + 50])
        clock.advance(seconds=1)


async def test_sorts(gql: Any, runtime: Any, clock: Any) -> None:
    await _sortable(runtime, clock)
    newest = ["Golf", "Foxtrot", "Echo", "Bravo", "Charlie", "Alpha", "Delta"]
    assert await names(gql) == newest
    assert await names(gql, sort="NEWEST") == newest
    # Ties on price are broken by id (creation order here).
    assert await names(gql, sort="PRICE_ASC") == [
        "Alpha", "Bravo", "Charlie", "Foxtrot", "Delta", "Echo", "Golf"]
    assert await names(gql, sort="PRICE_DESC") == [
        "Golf", "Echo", "Delta", "Foxtrot", "Charlie", "Bravo", "Alpha"]
    assert await names(gql, sort="NAME") == [
        "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"]


async def test_equal_sort_keys_are_ordered_by_id(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = [await make_product(runtime, seller.seller_id, name="Same", prices=[100])
            for _ in range(3)]
    ids = [encode_id("Product", p.id) for p in made]
    for sort, expected in (("NAME", ids), ("PRICE_ASC", ids), ("PRICE_DESC", ids[::-1]),
                           ("NEWEST", ids[::-1])):
        page = await listed(gql, sort=sort, first=2)
        rest = await listed(gql, sort=sort, first=2, after=page["pageInfo"]["endCursor"])
        got = [e["node"]["id"] for e in page["edges"] + rest["edges"]]
        assert got == expected, sort


async def test_every_sort_walks_all_products_exactly_once_in_order(gql: Any, runtime: Any,
                                                                   clock: Any) -> None:
    await _sortable(runtime, clock)
    for sort in ("NEWEST", "PRICE_ASC", "PRICE_DESC", "NAME", "RELEVANCE"):
        expected = await names(gql, sort=sort, first=100)
        assert len(expected) == 7
        for size in (1, 2, 3, 7):
            assert await walk(gql, size, sort=sort) == expected, (sort, size)


async def test_same_created_at_is_paged_by_id(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    for i in range(5):  # the clock does not move: every created_at is equal
        await make_product(runtime, seller.seller_id, name=f"P{i}")
    assert await walk(gql, 2) == ["P4", "P3", "P2", "P1", "P0"]


async def test_pages_are_stable_when_products_are_inserted(gql: Any, runtime: Any,
                                                           clock: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    for i in range(6):
        await make_product(runtime, seller.seller_id, name=f"P{i}", prices=[100 * (i + 1)])
        clock.advance(seconds=1)
    first = await listed(gql, first=3)
    assert [e["node"]["name"] for e in first["edges"]] == ["P5", "P4", "P3"]
    # Newer and cheaper products appear before the cursor position: the next page is unmoved.
    await make_product(runtime, seller.seller_id, name="Newer", prices=[1])
    second = await names(gql, first=3, after=first["pageInfo"]["endCursor"])
    assert second == ["P2", "P1", "P0"]
    cheap = await listed(gql, first=2, sort="PRICE_ASC")
    assert [e["node"]["name"] for e in cheap["edges"]] == ["Newer", "P0"]
    await make_product(runtime, seller.seller_id, name="Cheapest", prices=[0])
    assert await names(gql, first=2, sort="PRICE_ASC",
                       after=cheap["pageInfo"]["endCursor"]) == ["P1", "P2"]
    assert (await listed(gql))["totalCount"] == 8


async def test_total_count_and_page_info(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    for i in range(5):
        await make_product(runtime, seller.seller_id, name=f"P{i}")
    page = await listed(gql, first=2)
    assert page["totalCount"] == 5 and len(page["edges"]) == 2
    info = page["pageInfo"]
    assert info["hasNextPage"] and not info["hasPreviousPage"]
    assert info["startCursor"] == page["edges"][0]["cursor"]
    assert info["endCursor"] == page["edges"][1]["cursor"]
    empty = await listed(gql, first=0)
    assert empty["edges"] == [] and empty["pageInfo"]["hasNextPage"]
    assert empty["pageInfo"]["startCursor"] is None and empty["totalCount"] == 5
    whole = await listed(gql, first=5)
    assert not whole["pageInfo"]["hasNextPage"]
    last = await listed(gql, first=5, after=whole["pageInfo"]["endCursor"])
    assert last["edges"] == [] and last["pageInfo"]["hasPreviousPage"]
    assert last["pageInfo"]["endCursor"] is None and not last["pageInfo"]["hasNextPage"]


async def test_bad_page_arguments_are_clear_top_level_errors(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id)
    for first in (-1, 101):
        body = await gql(LIST, {"first": first})
        assert body["errors"][0]["extensions"]["code"] == "QUERY_REJECTED", body
    for cursor in ("garbage", "", "eyJvIjoiTkVXRVNUIn0", encode_id("Product", 1)):
        body = await gql(LIST, {"after": cursor})
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR", body
        assert "cursor" in body["errors"][0]["message"]
    # A cursor of one sort order is not valid for another.
    by_price = await listed(gql, sort="PRICE_ASC", first=1)
    body = await gql(LIST, {"sort": "NAME", "after": by_price["pageInfo"]["endCursor"]})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
