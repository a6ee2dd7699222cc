"""product(id|slug), variant(id|sku), node(id:) and categories: fields, visibility of DRAFT
and ARCHIVED products, and the statement count of a full product page (no N+1)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from domain.ids import encode_id
from persistence.tables import categories
from tests.support.factories import make_account, make_category, make_product

PRODUCT_FIELDS = """id slug name description status createdAt category { id slug name }
  seller { id displayName } images { url altText } availableForSale
  priceRange { min { minorUnits currency amount } max { minorUnits currency amount } }
  variants { id sku name price { minorUnits currency amount } quantityAvailable inStock
             product { id } }"""
BY_ID = f"query($id: ID) {{ product(id: $id) {{ {PRODUCT_FIELDS} }} }}"
BY_SLUG = f"query($slug: String) {{ product(slug: $slug) {{ {PRODUCT_FIELDS} }} }}"
VARIANT = """query($id: ID, $sku: String) { variant(id: $id, sku: $sku) {
  id sku price { amount } quantityAvailable inStock product { name } } }"""
NODE = """query($id: ID!) { node(id: $id) { id __typename
  ... on Product { name } ... on ProductVariant { sku } ... on Category { slug } } }"""
CATEGORIES = "{ categories { id slug name } }"
PAGE = """query($first: Int) { products(first: $first) { totalCount edges { node {
  name priceRange { min { amount } } seller { displayName } category { name } images { url }
  variants { sku quantityAvailable price { amount } } } } } }"""


async def test_product_by_id_and_slug(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER", name="Ada")
    cat = await make_category(runtime, slug="audio", name="Audio")
    made = await make_product(runtime, seller.seller_id, name="Wireless Headphones",
                              description="Great sound.", prices=[24999, 19999],
                              stock_each=[0, 4], category_id=cat, currency="EUR", images=2)
    pid = encode_id("Product", made.id)
    product = (await gql.data(BY_ID, {"id": pid}))["product"]
    assert product == (await gql.data(BY_SLUG, {"slug": made.slug}))["product"]
    assert product["id"] == pid and product["slug"] == made.slug
    assert product["name"] == "Wireless Headphones" and product["status"] == "ACTIVE"
    assert product["category"] == {"id": encode_id("Category", cat), "slug": "audio",
                                   "name": "Audio"}
    assert product["seller"] == {"id": encode_id("Seller", seller.seller_id),
                                 "displayName": "Ada's shop"}
    assert [i["url"] for i in product["images"]] == [
        f"https://img.example.com/{made.slug}/0.jpg", f"https://img.example.com/{made.slug}/1.jpg"]
    assert product["priceRange"] == {
        "min": {"minorUnits": 19999, "currency": "EUR", "amount": "199.99"},
        "max": {"minorUnits": 24999, "currency": "EUR", "amount": "249.99"}}
    assert product["availableForSale"] is True
    first, second = product["variants"]
    assert first["sku"] == made.skus[0] and first["quantityAvailable"] == 0
    assert first["inStock"] is False and first["price"]["amount"] == "249.99"
    assert second["quantityAvailable"] == 4 and second["inStock"] is True
    assert first["product"]["id"] == pid


async def test_missing_products_and_variants_are_null(gql: Any, runtime: Any) -> None:
    for variables in ({"id": encode_id("Product", 999)}, {"id": "junk"}, {"id": None},
                      {"id": encode_id("Category", 1)}):
        assert (await gql.data(BY_ID, variables))["product"] is None
    assert (await gql.data(BY_SLUG, {"slug": "nope"}))["product"] is None
    for variables in ({"id": encode_id("ProductVariant", 999)}, {"sku": "NOPE"}, {}):
        assert (await gql.data(VARIANT, variables))["variant"] is None


async def test_product_without_category_and_out_of_stock(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, stock_each=0, images=0)
    product = (await gql.data(BY_ID, {"id": encode_id("Product", made.id)}))["product"]
    assert product["category"] is None and product["images"] == []
    assert product["availableForSale"] is False


async def test_variant_by_id_and_sku(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, name="Lamp", prices=[1250],
                              stock_each=7)
    vid = encode_id("ProductVariant", made.variant_ids[0])
    expected = {"id": vid, "sku": made.skus[0], "price": {"amount": "12.50"},
                "quantityAvailable": 7, "inStock": True, "product": {"name": "Lamp"}}
    assert (await gql.data(VARIANT, {"id": vid}))["variant"] == expected
    assert (await gql.data(VARIANT, {"sku": made.skus[0]}))["variant"] == expected


async def test_draft_and_archived_are_visible_only_to_their_seller_and_admins(
        gql: Any, runtime: Any) -> None:
    owner = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    for status in ("DRAFT", "ARCHIVED"):
        made = await make_product(runtime, owner.seller_id, name=f"Hidden {status}",
                                  status=status)
        pid = encode_id("Product", made.id)
        vid = encode_id("ProductVariant", made.variant_ids[0])
        for token in (None, buyer.token, other.token, "not-a-valid-token"):
            assert (await gql.data(BY_ID, {"id": pid}, token=token))["product"] is None
            assert (await gql.data(BY_SLUG, {"slug": made.slug}, token=token))["product"] is None
            assert (await gql.data(NODE, {"id": pid}, token=token))["node"] is None
            assert (await gql.data(NODE, {"id": vid}, token=token))["node"] is None
            assert (await gql.data(VARIANT, {"id": vid}, token=token))["variant"] is None
            assert (await gql.data(VARIANT, {"sku": made.skus[0]},
                                   token=token))["variant"] is None
        for token in (owner.token, admin.token):
            product = (await gql.data(BY_ID, {"id": pid}, token=token))["product"]
            assert product["status"] == status
            assert (await gql.data(NODE, {"id": pid}, token=token))["node"]["name"] == \
                f"Hidden {status}"
            assert (await gql.data(NODE, {"id": vid}, token=token))["node"]["sku"] == \
                made.skus[0]


async def test_node_resolves_products_variants_and_categories(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    cat = await make_category(runtime, slug="garden")
    made = await make_product(runtime, seller.seller_id, name="Rake", category_id=cat)
    pid = encode_id("Product", made.id)
    vid = encode_id("ProductVariant", made.variant_ids[0])
    cid = encode_id("Category", cat)
    assert (await gql.data(NODE, {"id": pid}))["node"] == {
        "id": pid, "__typename": "Product", "name": "Rake"}
    assert (await gql.data(NODE, {"id": vid}))["node"] == {
        "id": vid, "__typename": "ProductVariant", "sku": made.skus[0]}
    assert (await gql.data(NODE, {"id": cid}))["node"] == {
        "id": cid, "__typename": "Category", "slug": "garden"}
    assert (await gql.data(NODE, {"id": encode_id("Category", 999)}))["node"] is None


async def test_categories_by_position_then_name(gql: Any, runtime: Any) -> None:
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(insert(categories), [
            {"slug": "toys", "name": "Toys", "position": 2},
            {"slug": "books", "name": "Books", "position": 2},
            {"slug": "home", "name": "Home", "position": 1},
        ])
    found = (await gql.data(CATEGORIES))["categories"]
    assert [c["slug"] for c in found] == ["home", "books", "toys"]
    assert found[0]["name"] == "Home"


async def test_seller_products_lists_active_products_of_one_seller(gql: Any,
                                                                   runtime: Any) -> None:
    one, two = await make_account(runtime, "SELLER"), await make_account(runtime, "SELLER")
    made = await make_product(runtime, one.seller_id, name="Mine")
    await make_product(runtime, one.seller_id, name="Mine too")
    await make_product(runtime, one.seller_id, name="Draft", status="DRAFT")
    await make_product(runtime, two.seller_id, name="Theirs")
    query = """query($id: ID) { product(id: $id) { seller { products(first: 1) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } } } }"""
    body = await gql.data(query, {"id": encode_id("Product", made.id)})
    products = body["product"]["seller"]["products"]
    assert products["totalCount"] == 2 and products["pageInfo"]["hasNextPage"]
    assert [e["node"]["name"] for e in products["edges"]] == ["Mine too"]


async def _page_statements(gql: Any, statements: Any) -> int:
    statements.reset()
    body = await gql.data(PAGE, {"first": 50})
    assert body["products"]["edges"]
    return int(statements.count)


async def test_a_full_page_costs_the_same_few_statements_for_5_or_50(
        gql: Any, runtime: Any, statements: Any) -> None:
    sellers = [await make_account(runtime, "SELLER") for _ in range(3)]
    cats = [await make_category(runtime) for _ in range(3)]
    for i in range(5):
        await make_product(runtime, sellers[i % 3].seller_id, prices=[100, 200, 300],
                           category_id=cats[i % 3], images=2)
    five = await _page_statements(gql, statements)
    for i in range(45):
        await make_product(runtime, sellers[i % 3].seller_id, prices=[100, 200, 300],
                           category_id=cats[i % 3], images=2)
    fifty = await _page_statements(gql, statements)
    # 6 statements, each in its own BEGIN/ROLLBACK now that transaction control is counted
    assert five == fifty <= 18, (five, fifty)
