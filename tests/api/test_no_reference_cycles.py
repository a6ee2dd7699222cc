"""No reference cycles per request (docs/architecture.md, "Memory: no reference cycles per
request"): everything a catalogue page or a product detail makes (the execution context, the
loaders and the rows they cached, the compiled driver) is freed by reference counting when the
request ends, so the garbage collector has nothing of ours to find; the app then collects the
young generation rarely (app.py, freeze_startup_heap)."""
from __future__ import annotations

import gc
from typing import Any

from domain.ids import encode_id
from tests.support.factories import make_account, make_category, make_product

PAGE = """query($first: Int) { products(first: $first) { totalCount edges { cursor node { id
  name availableForSale priceRange { min { amount } } category { name } seller { displayName }
  images { url } variants { id sku quantityAvailable price { amount currency } } } } } }"""
DETAIL = """query($id: ID!) { node(id: $id) { ... on Product { name variants { sku
  product { name } } } } }"""
# Packages whose objects a request makes: none of them may be left to the collector.
OURS = ("domain", "persistence", "dataloaders", "resolvers", "schema", "web", "graphql",
        "strawberry", "aiodataloader")


def _cyclic_garbage_after(run: Any) -> Any:
    """Runs `run()` (a coroutine function) with the collector off, then collects, keeping what
    it found: the objects that only the collector could free."""

    async def wrapped() -> list[str]:
        gc.collect()
        gc.disable()
        try:
            await run()
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            found = sorted({f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage
                            if type(o).__module__.split(".")[0] in OURS})
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        return found

    return wrapped()


async def test_catalogue_page_and_detail_leave_nothing_to_the_collector(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    category = await make_category(runtime)
    made = [await make_product(runtime, seller.seller_id, prices=[1000, 1500], images=2,
                               category_id=category) for _ in range(3)]
    sizes = iter(range(3, 40))

    async def page() -> None:  # a new page size each time: never a response-cache hit
        data = await gql.data(PAGE, {"first": next(sizes)})
        assert len(data["products"]["edges"]) == 3
        assert data["products"]["edges"][0]["node"]["variants"][1]["price"]["amount"]

    async def detail() -> None:
        data = await gql.data(DETAIL, {"id": encode_id("Product", made[0].id)})
        assert data["node"]["variants"][0]["product"]["name"]

    await page()  # plans, statements and loaders' classes built before counting
    await detail()
    assert await _cyclic_garbage_after(page) == []
    assert await _cyclic_garbage_after(detail) == []
