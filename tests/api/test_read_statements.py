"""The read path at the cost of its SQL (docs/architecture.md, "Read connections"): every
statement counted, transaction control included; one read connection per HTTP request, in
autocommit (no BEGIN/ROLLBACK), given back whatever happened; counts flat in page size."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.support.factories import make_account, make_category, make_product
from tests.support.orders import checkout, complete

CATALOGUE = """query($first: Int) { products(first: $first) { totalCount edges { node {
  name priceRange { min { amount } }
  images { url } variants { sku quantityAvailable price { amount } } } } } }"""
DETAIL = """query($slug: String) { product(slug: $slug) { name status category { name }
  seller { displayName } images { url altText } priceRange { min { amount } max { amount } }
  variants { sku price { amount } quantityAvailable inStock } } }"""
ORDERS = """{ me { orders(first: 20) { totalCount edges { node { number status
  pricing { subtotal { amount } shipping { amount } tax { amount } total { amount } }
  lines { sku quantity total { amount } seller { displayName } variant { sku } }
  shipments { status lines { sku } } payments { status amount { amount } }
  statusHistory { status } buyer { email } } } } } }"""


class Checkouts:
    """Connections taken from the read engine's pool while counting."""

    def __init__(self, runtime: Any) -> None:
        self.count = 0
        event.listen(runtime.db.read_engine.sync_engine.pool, "checkout", self._on_checkout)

    def _on_checkout(self, *_args: Any) -> None:
        self.count += 1


async def _count(gql: Any, statements: Any, query: str, variables: dict[str, Any] | None = None,
                 token: str | None = None) -> tuple[int, Any]:
    statements.keep_log = True
    statements.reset()
    body = await gql.data(query, variables or {}, token=token)
    return statements.count, body


async def _catalogue(runtime: Any, n: int, sellers: list[Any], cats: list[int]) -> None:
    for i in range(n):
        await make_product(runtime, sellers[i % len(sellers)].seller_id, prices=[100, 200],
                           category_id=cats[i % len(cats)], images=1)


async def test_catalogue_page_costs_at_most_5_statements_for_1_or_20_products(
        gql: Any, runtime: Any, statements: Any) -> None:
    sellers = [await make_account(runtime, "SELLER") for _ in range(3)]
    cats = [await make_category(runtime) for _ in range(2)]
    await _catalogue(runtime, 1, sellers, cats)
    one, body = await _count(gql, statements, CATALOGUE, {"first": 20})
    assert len(body["products"]["edges"]) == 1
    await _catalogue(runtime, 24, sellers, cats)
    checkouts = Checkouts(runtime)
    twenty, body = await _count(gql, statements, CATALOGUE, {"first": 20})
    assert len(body["products"]["edges"]) == 20 and body["products"]["totalCount"] == 25
    assert one == twenty <= 5, (one, twenty, statements.log)
    assert checkouts.count == 1  # one read connection for the whole request
    assert not [s for s in statements.log if s.split()[0].upper() in (
        "BEGIN", "ROLLBACK", "COMMIT")], statements.log


async def test_product_detail_costs_at_most_4_statements(gql: Any, runtime: Any,
                                                         statements: Any) -> None:
    seller = await make_account(runtime, "SELLER", name="Ada")
    cat = await make_category(runtime, slug="audio", name="Audio")
    few = await make_product(runtime, seller.seller_id, prices=[100], category_id=cat,
                             images=1)
    many = await make_product(runtime, seller.seller_id, prices=[100 * i for i in range(1, 21)],
                              stock_each=3, category_id=cat, images=5)
    counts = []
    for made in (few, many):
        count, body = await _count(gql, statements, DETAIL, {"slug": made.slug})
        assert body["product"]["seller"]["displayName"] and body["product"]["category"]
        counts.append(count)
    assert len(body["product"]["variants"]) == 20
    assert counts[0] == counts[1] <= 4, (counts, statements.log)


async def test_order_list_with_every_relation_costs_at_most_12_statements(
        gql: Any, runtime: Any, statements: Any) -> None:
    sellers = [await make_account(runtime, "SELLER") for _ in range(2)]
    buyer = await make_account(runtime)
    counts = {}
    for n in range(1, 5):
        sid, _ = await checkout(gql, runtime, buyer, [(s, 1000 + n) for s in sellers])
        assert (await complete(gql, buyer.token, sid, key=f"k{n}"))["userErrors"] == []
        if n in (1, 4):
            counts[n], body = await _count(gql, statements, ORDERS, token=buyer.token)
            orders = body["me"]["orders"]["edges"]
            assert len(orders) == n and len(orders[0]["node"]["shipments"]) == 2
    assert counts[1] == counts[4] <= 12, (counts, statements.log)


async def test_a_mutation_counts_its_transaction_control(gql: Any, statements: Any) -> None:
    statements.keep_log = True
    statements.reset()
    await gql.data("""mutation { register(input: {email: "a@example.com", password:
      "correct horse battery", name: "A"}) { userErrors { code } } }""")
    words = [s.split()[0].upper() for s in statements.log]
    assert "BEGIN" in words and "COMMIT" in words, statements.log
    assert statements.count == len(statements.log)


async def test_no_ping_per_checkout_and_pools_without_overflow(runtime: Any) -> None:
    size = runtime.settings.db_pool_size
    for engine in (runtime.db.write_engine, runtime.db.read_engine):
        pool = engine.sync_engine.pool
        assert pool._pre_ping is False
        assert pool.size() == size and pool._max_overflow == 0


async def test_read_connections_are_given_back_after_many_requests_failing_ones_too(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id, prices=[100, 200], images=1)
    bad_cursor = """{ products(first: 2, after: "not-a-cursor") { totalCount } }"""
    for i in range(30):
        await gql.raw(CATALOGUE, {"first": 20}, None)
        await gql.raw(bad_cursor, None, None)  # INVALID_CURSOR after a read has run
        await gql.raw("{ nope }", None, None)  # refused before anything runs
        await gql.raw("query($f: Int) { products(first: $f) { totalCount } }", {"f": 10_000},
                      None)
        await gql.raw("{ me { email } }", None, f"not-a-token-{i}")
    assert runtime.db.read_engine.sync_engine.pool.checkedout() == 0
    assert runtime.db.write_engine.sync_engine.pool.checkedout() == 0


async def test_use_cases_account_checks_and_loaders_share_the_request_connection(
        gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime)
    seller = await make_account(runtime, "SELLER")
    await make_product(runtime, seller.seller_id, prices=[100], images=1)
    checkouts = Checkouts(runtime)
    body = await gql.data("""{ me { email addresses { city } } cart { status }
      categories { name } products(first: 5) { totalCount edges { node { name
      variants { quantityAvailable } } } } }""", token=buyer.token)
    assert body["me"]["email"] and body["products"]["totalCount"] == 1
    assert checkouts.count == 1
