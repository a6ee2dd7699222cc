"""Compiled SQL reused (issue 10, item 3; docs/architecture.md, "Where a request's time goes"):
the catalogue page's statements are built once per query shape and executed again as the same
SQLAlchemy objects, whatever the page size, the cursor values or the product ids, so a request
pays neither building them nor their cache key, only a compiled-cache hit. On PostgreSQL they
are sent straight to the driver (persistence/reads/direct.py): there a hit is a plan reused,
and plans are kept per size of the id lists, so a size seen before is a hit."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event

from persistence.reads import direct
from tests.support.factories import make_account, make_category, make_product

PAGE = """query($first: Int, $after: String) { products(first: $first, after: $after) {
  totalCount pageInfo { endCursor } edges { node { name priceRange { min { amount } }
  category { name } images { url } variants { sku quantityAvailable price { amount } } } } } }"""


class Executed:
    """The statement objects the read engine executes, and whether each hit the cache."""

    def __init__(self, runtime: Any, monkeypatch: Any) -> None:
        self.objects: list[int] = []
        self.hits: list[bool] = []
        engine = runtime.db.read_engine.sync_engine
        event.listen(engine, "before_execute", self._before)
        event.listen(engine, "before_cursor_execute", self._cursor)
        planned = direct.PLANS.get

        def get(stmt: Any, params: Any, dialect: Any) -> Any:
            built = direct.PLANS.built
            plan = planned(stmt, params, dialect)
            if plan.direct:  # sent by the driver: no SQLAlchemy event will see it
                self.objects.append(id(stmt))
                self.hits.append(direct.PLANS.built == built)
            return plan

        monkeypatch.setattr(direct.PLANS, "get", get)

    def _before(self, _conn: Any, clause: Any, *_args: Any) -> None:
        self.objects.append(id(clause))

    def _cursor(self, _conn: Any, _cursor: Any, _stmt: str, _params: Any, context: Any,
                _many: bool) -> None:
        self.hits.append(context.cache_hit == context.cache_hit.CACHE_HIT)

    def take(self) -> tuple[list[int], list[bool]]:
        taken = (list(self.objects), list(self.hits))
        self.objects.clear()
        self.hits.clear()
        return taken


async def test_catalogue_page_reuses_its_statement_objects(gql: Any, runtime: Any,
                                                           monkeypatch: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    cat = await make_category(runtime)
    for _ in range(7):
        await make_product(runtime, seller.seller_id, prices=[100, 200], category_id=cat,
                           images=1)
    executed = Executed(runtime, monkeypatch)
    first = await gql.data(PAGE, {"first": 3})
    objects, _ = executed.take()
    after = first["products"]["pageInfo"]["endCursor"]
    await gql.data(PAGE, {"first": 2, "after": after})  # the shape with a cursor, built once
    executed.take()
    again = await gql.data(PAGE, {"first": 4})
    objects_again, hits = executed.take()
    if runtime.db.is_sqlite:  # SQLAlchemy's cache: a hit whatever the size
        assert all(hits), hits
    await gql.data(PAGE, {"first": 4})
    assert executed.take() == (objects, [True] * 5)
    later = await gql.data(PAGE, {"first": 2, "after": after})
    assert later["products"]["edges"] and again["products"]["totalCount"] == 7
    with_cursor, cursor_hits = executed.take()
    await gql.data(PAGE, {"first": 1, "after": again["products"]["pageInfo"]["endCursor"]})
    assert len(objects) == 5 and objects_again == objects, (objects, objects_again)
    assert executed.take()[0] == with_cursor
    assert all(cursor_hits), cursor_hits
