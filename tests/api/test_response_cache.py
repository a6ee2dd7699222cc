"""The response cache of anonymous catalogue reads (docs/rules.md, "Response cache"): a hit is
served without running the query, a seller's change or a checkout's stock allocation shows in
the very next read, authenticated requests and mutations are never cached, GET answers carry
Cache-Control and a strong ETag (304 on If-None-Match), entries expire with their TTL, the
outbox feed invalidates for changes made elsewhere, and two processes sharing Redis see each
other's invalidation."""
from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest

from adapters.live.bus import EventBus
from adapters.live.feed import OutboxFeed
from domain.ids import encode_id
from tests.support.client import GraphQLClient
from tests.support.factories import make_account, make_product
from tests.support.orders import CA, START, UPDATE, complete
from tests.support.services import REDIS_URL, redis_prefix  # noqa: F401 - fixture

PRODUCT = """query($id: ID!) { product(id: $id) { name
  variants { sku price { minorUnits } quantityAvailable } } }"""
PRODUCT_UPDATE = """mutation($id: ID!, $input: ProductUpdateInput!) {
  productUpdate(id: $id, input: $input) { userErrors { code } } }"""
ADD = """mutation($v: ID!, $q: Int!) { cartAddLine(input: {variantId: $v, quantity: $q}) {
  userErrors { code } } }"""


def client(app: Any, port: int = 50100) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", port))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def read(http: httpx.AsyncClient, product_id: int, token: str | None = None
               ) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", headers=headers, json={
        "query": PRODUCT, "variables": {"id": encode_id("Product", product_id)}})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response.json()["data"]["product"]  # type: ignore[no-any-return]


def runs(app: Any) -> list[int]:
    """Counts the queries the app really executes (not those answered from the cache)."""
    view = next(route.app for route in app.routes
                if getattr(route, "path", None) == "/graphql" and hasattr(route, "methods"))
    schema = view.schema
    counter = [0]
    execute = schema.execute

    async def counted(*args: Any, **kwargs: Any) -> Any:
        counter[0] += 1
        return await execute(*args, **kwargs)

    schema.execute = counted
    return counter


ON = {"response_cache_ttl_seconds": 2.0}  # tests/conftest.py turns it off elsewhere


@pytest.fixture
def cached_app(make_app: Any) -> Any:
    return make_app(**ON)


async def test_a_hit_runs_nothing_and_a_product_update_shows_at_once(cached_app: Any) -> None:
    runtime = cached_app.state.runtime
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, name="Lamp")
    executed = runs(cached_app)
    async with client(cached_app) as http:
        assert (await read(http, product.id))["name"] == "Lamp"
        assert (await read(http, product.id))["name"] == "Lamp"
        assert executed[0] == 1  # the second read came from the cache
        gql = GraphQLClient(http)
        body = await gql.data(PRODUCT_UPDATE, {"id": encode_id("Product", product.id),
                                               "input": {"name": "Desk lamp"}},
                              token=seller.token)
        assert body["productUpdate"]["userErrors"] == []
        assert (await read(http, product.id))["name"] == "Desk lamp"
        assert executed[0] == 3  # the mutation and the fresh read
        metrics = (await http.get("/metrics")).text
    assert 'graphql_response_cache_total{result="hit"} 1.0' in metrics
    assert 'graphql_response_cache_total{result="miss"} 2.0' in metrics


async def test_a_checkout_allocation_shows_in_the_next_read(cached_app: Any) -> None:
    runtime = cached_app.state.runtime
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime, "BUYER")
    product = await make_product(runtime, seller.seller_id, prices=[2500], stock_each=10)
    async with client(cached_app) as http:
        gql = GraphQLClient(http)
        assert (await read(http, product.id))["variants"][0]["quantityAvailable"] == 10
        assert (await read(http, product.id))["variants"][0]["quantityAvailable"] == 10
        body = await gql.data(ADD, {"v": encode_id("ProductVariant", product.variant_ids[0]),
                                    "q": 3}, token=buyer.token)
        assert body["cartAddLine"]["userErrors"] == []
        sid = (await gql.data(START, token=buyer.token))["checkoutStart"]["checkout"]["id"]
        await gql.data(UPDATE, {"id": sid, "input": {
            "shippingAddress": CA, "shippingMethodCode": "STANDARD"}}, token=buyer.token)
        done = await complete(gql, buyer.token, sid)
        assert done["userErrors"] == [], done
        levels = await _level(runtime, product.variant_ids[0])
        assert levels["allocated"] == 3
        assert (await read(http, product.id))["variants"][0]["quantityAvailable"] == 7


async def _level(runtime: Any, variant_id: int) -> dict[str, int]:
    from tests.support.orders import stock_level

    row = await stock_level(runtime, variant_id)
    return {"allocated": row.allocated, "available": row.available}


async def test_authenticated_reads_are_never_cached(cached_app: Any) -> None:
    runtime = cached_app.state.runtime
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime, "BUYER")
    product = await make_product(runtime, seller.seller_id)
    executed = runs(cached_app)
    async with client(cached_app) as http:
        await read(http, product.id)  # stored for anonymous readers
        for _ in range(2):
            await read(http, product.id, token=buyer.token)
        response = await http.get("/graphql", params={"query": "{ __typename }"},
                                  headers={"Authorization": f"Bearer {buyer.token}"})
        assert "cache-control" not in response.headers and "etag" not in response.headers
    assert executed[0] == 4


async def test_only_catalogue_root_fields_are_cached(cached_app: Any) -> None:
    executed = runs(cached_app)
    async with client(cached_app) as http:
        for query in ("{ categories { name } __typename }", "{ categories { name } }",
                      "query Q { ...F } fragment F on Query { products(first: 1) "
                      "{ totalCount } }", "query Q { ...F } fragment F on Query { products("
                      "first: 1) { totalCount } }"):
            response = await http.post("/graphql", json={"query": query})
            assert response.status_code == 200 and "errors" not in response.json()
        assert executed[0] == 3  # the repeated fragment document was a hit
        for _ in range(2):  # node(id:) and a non-catalogue root field: never cached
            await http.post("/graphql", json={"query": '{ node(id: "x") { id } }'})
            await http.post("/graphql", json={"query": "{ viewer { id } }"})
        assert executed[0] == 7


async def test_get_answers_carry_cache_control_an_etag_and_304(cached_app: Any) -> None:
    query = "{ products(first: 5) { totalCount } }"
    async with client(cached_app) as http:
        first = await http.get("/graphql", params={"query": query})
        assert first.status_code == 200
        assert first.headers["cache-control"] == "public, max-age=2"
        etag = first.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert etag == f'"{hashlib.sha256(first.content).hexdigest()[:32]}"'
        again = await http.get("/graphql", params={"query": query})
        assert again.content == first.content and again.headers["etag"] == etag
        not_modified = await http.get("/graphql", params={"query": query},
                                      headers={"If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == etag
        other = await http.get("/graphql", params={"query": query},
                               headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200
        post = await http.post("/graphql", json={"query": query})
        assert post.status_code == 200 and "cache-control" not in post.headers


async def test_a_persisted_hash_shares_the_entry_of_its_document(cached_app: Any) -> None:
    query = "{ categories { slug } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
    executed = runs(cached_app)
    async with client(cached_app) as http:
        first = await http.get("/graphql", params={"query": query, "extensions": extensions})
        hashed = await http.get("/graphql", params={"extensions": extensions})
        assert hashed.status_code == 200 and hashed.content == first.content
    assert executed[0] == 1


async def test_entries_expire_with_their_ttl(cached_app: Any) -> None:
    runtime = cached_app.state.runtime
    store = runtime.response_cache.store
    now = [1000.0]
    store.clock = lambda: now[0]
    executed = runs(cached_app)
    async with client(cached_app) as http:
        for step in (0.0, 1.9, 0.2, 0.5):
            now[0] += step
            await http.post("/graphql", json={"query": "{ categories { slug } }"})
    assert executed[0] == 2  # at 0 and past 2 s


async def test_zero_ttl_turns_the_cache_off(make_app: Any) -> None:
    app = make_app(response_cache_ttl_seconds=0)
    assert app.state.runtime.response_cache is None
    executed = runs(app)
    async with client(app) as http:
        for _ in range(2):
            response = await http.get("/graphql", params={"query": "{ __typename }"})
            assert "cache-control" not in response.headers
    assert executed[0] == 2


async def test_the_outbox_feed_invalidates_changes_made_elsewhere(make_app: Any) -> None:
    reader, writer = make_app(**ON), make_app(**ON)  # two processes, no Redis
    runtime = reader.state.runtime
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, name="Chair")
    feed = OutboxFeed(runtime, EventBus())
    await feed.start_position()
    async with client(reader) as r_http, client(writer, 50101) as w_http:
        assert (await read(r_http, product.id))["name"] == "Chair"
        await GraphQLClient(w_http).data(PRODUCT_UPDATE, {
            "id": encode_id("Product", product.id), "input": {"name": "Armchair"}},
            token=seller.token)
        assert (await read(r_http, product.id))["name"] == "Chair"  # within the TTL
        assert await feed.poll_once() == 1  # the CatalogChanged row
        assert (await read(r_http, product.id))["name"] == "Armchair"


async def test_processes_sharing_redis_see_each_others_invalidation(
        make_app: Any, redis_prefix: str) -> None:  # noqa: F811
    shared = {"redis_url": REDIS_URL, "redis_key_prefix": redis_prefix, **ON}
    first, second = make_app(**shared), make_app(**shared)
    runtime = first.state.runtime
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, name="Mug")
    executed = runs(second)
    async with client(first) as one, client(second, 50101) as two:
        assert (await read(one, product.id))["name"] == "Mug"
        assert (await read(two, product.id))["name"] == "Mug"
        assert executed[0] == 0  # stored by the first process, served to the second
        await GraphQLClient(one).data(PRODUCT_UPDATE, {
            "id": encode_id("Product", product.id), "input": {"name": "Big mug"}},
            token=seller.token)
        assert (await read(two, product.id))["name"] == "Big mug"
        assert executed[0] == 1


async def test_malformed_requests_are_still_a_400_with_the_cache_on(cached_app: Any) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    raw = ('{"query": "query($v: String) { __typename }", "variables": {"v": '
           + deep + "}}").encode()
    async with client(cached_app) as http:
        post = await http.post("/graphql", content=raw,
                               headers={"Content-Type": "application/json"})
        get = await http.get("/graphql", params={"query": "{ __typename }",
                                                 "variables": '{"v": ' + deep[:5_000]
                                                 + deep[-5_000:] + "}"})
        bad = await http.post("/graphql", content=b"{nope",
                              headers={"Content-Type": "application/json"})
    for response in (post, get, bad):
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_REJECTED"
        assert "cache-control" not in response.headers
