"""Compiled execution of queries (docs/architecture.md, "How a query is executed"): the same
documents, on the same data, answer the same JSON (data, errors, extensions) through the
compiled path as through graphql-core's standard execution; documents whose execution meets an
error are answered by the standard execution (the compiled attempt is dropped)."""
from __future__ import annotations

from typing import Any

import httpx
import pytest

from domain.ids import encode_id
from tests.support.client import GraphQLClient
from tests.support.factories import make_account, make_category, make_product
from tests.support.orders import GET, ORDER_FIELDS, checkout, complete

PAGE = """{ products(first: 20) { totalCount edges { node { id name
  priceRange { min { amount currency } } images { url altText }
  variants { id sku quantityAvailable inStock price { amount currency } } } } } }"""
PAGE_VARS = """query($first: Int, $after: String) { products(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name slug status
  category { name } seller { displayName } variants { sku } } } } }"""
DETAIL = """query($slug: String) { product(slug: $slug) { name status description
  category { name } seller { displayName } images { url altText }
  priceRange { min { amount } max { amount } } variants { sku price { amount minorUnits }
  quantityAvailable inStock } } }"""
SHAPES = """query($withVariants: Boolean!, $skipImages: Boolean!) {
  __typename
  first: products(first: 2) { ...Page }
  second: products(first: 1, sort: NEWEST) { totalCount edges { node { __typename
    ... on Node { id } ... on Product { title: name } } } }
  categories { __typename name }
}
fragment Page on ProductConnection { __typename totalCount edges { node { ...Bits } } }
fragment Bits on Product { id name
  variants @include(if: $withVariants) { sku cost: price { amount } }
  images @skip(if: $skipImages) { url } }"""
NODE = """query($id: ID!) { node(id: $id) { __typename id ... on Product { name
  variants { sku } } ... on ProductVariant { sku price { currency } } ...Cat } }
  fragment Cat on Category { slug name }"""
ORDERS = f"""{{ me {{ email orders(first: 20) {{ totalCount edges {{ node {{ {ORDER_FIELDS}
  }} }} }} }} }}"""
INTROSPECTION = """{ __schema { queryType { name } } __type(name: "ProductVariant") { name
  kind fields { name type { name kind ofType { name } } } } }"""
FAILING = """query($id: ID!) { order(id: $id) { number } }"""
BAD_CURSOR = """{ products(first: 2, after: "not-a-cursor") { totalCount } }"""


def _plans(app: Any) -> Any:
    view = next(route.app for route in app.routes
                if getattr(route, "path", None) == "/graphql" and hasattr(route, "methods"))
    return view.schema.execution_context_class.plans


@pytest.fixture
async def standard(make_app: Any) -> Any:
    """The same app with COMPILED_EXECUTION off, on the same database."""
    app = make_app(compiled_execution=False)
    assert _plans(app) is None
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50003))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


async def _same(gql: Any, standard: Any, query: str, variables: dict[str, Any] | None = None,
                token: str | None = None) -> dict[str, Any]:
    compiled = (await gql.raw(query, variables, token)).json()
    plain = (await standard.raw(query, variables, token)).json()
    assert compiled == plain, (query, variables)
    return compiled


async def test_a_corpus_of_documents_answers_the_same_through_both_paths(
        gql: Any, standard: Any, runtime: Any, app: Any) -> None:
    sellers = [await make_account(runtime, "SELLER", name=f"Seller {i}") for i in range(2)]
    buyer = await make_account(runtime)
    cat = await make_category(runtime, slug="audio", name="Audio")
    made = [await make_product(runtime, sellers[i % 2].seller_id, prices=[100 + i, 250],
                               stock_each=[0, 3][i % 2], category_id=cat, images=i % 3)
            for i in range(5)]
    for n in range(2):
        sid, _ = await checkout(gql, runtime, buyer, [(s, 1000 + n) for s in sellers])
        assert (await complete(gql, buyer.token, sid, key=f"k{n}"))["userErrors"] == []
    plans = _plans(app)
    before = plans.fallbacks
    corpus: list[tuple[str, dict[str, Any] | None, str | None]] = [
        (PAGE, None, None), (PAGE, None, buyer.token),
        (PAGE_VARS, {"first": 2}, None), (PAGE_VARS, {"first": 20}, sellers[0].token),
        (DETAIL, {"slug": made[1].slug}, None), (DETAIL, {"slug": "no-such-product"}, None),
        (NODE, {"id": encode_id("Product", made[0].id)}, None),
        (NODE, {"id": encode_id("ProductVariant", made[2].variant_ids[0])}, None),
        (NODE, {"id": encode_id("Category", cat)}, None),
        (NODE, {"id": encode_id("Product", 999_999)}, None),
        (ORDERS, None, buyer.token), (INTROSPECTION, None, None),
        ("{ me { email addresses { city } } cart { status } }", None, buyer.token),
    ] + [(SHAPES, {"withVariants": w, "skipImages": s}, None)
         for w in (True, False) for s in (True, False)]
    for query, variables, token in corpus:
        body = await _same(gql, standard, query, variables, token)
        assert "errors" not in body, (query, body)
    orders = (await gql.data(ORDERS, token=buyer.token))["me"]["orders"]["edges"]
    assert len(orders) == 2 and orders[0]["node"]["shipments"]
    await _same(gql, standard, GET, {"id": orders[0]["node"]["id"]}, buyer.token)
    assert plans.fallbacks == before  # every one of them answered by the compiled path
    assert len(plans.plans) >= 10


async def test_documents_meeting_errors_are_answered_by_the_standard_execution(
        gql: Any, standard: Any, runtime: Any, app: Any) -> None:
    buyer, other = await make_account(runtime), await make_account(runtime)
    seller = await make_account(runtime, "SELLER")
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 1500)])
    assert (await complete(gql, buyer.token, sid))["userErrors"] == []
    order_id = (await gql.data(ORDERS, token=buyer.token))["me"]["orders"]["edges"][0][
        "node"]["id"]
    plans = _plans(app)
    before = plans.fallbacks
    failing = [
        (BAD_CURSOR, None, None),
        (FAILING, {"id": "junk"}, buyer.token),
        (FAILING, {"id": order_id}, other.token),
        ("{ me { email } cart { status } }", None, None),
        (f"{{ categories {{ name }} {BAD_CURSOR[1:-1]} }}", None, None),
    ]
    erring = 0
    for query, variables, token in failing:
        body = await _same(gql, standard, query, variables, token)
        erring += bool(body.get("errors"))
    assert erring >= 3
    assert plans.fallbacks == before + erring  # one standard execution per erring document
