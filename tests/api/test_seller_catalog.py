"""productCreate / productUpdate / productDelete / variantUpdate: the happy paths, every error
code, and that a refused mutation changes nothing."""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select, update

from domain.ids import encode_id
from persistence.tables import product_images, products, stock, variants
from tests.support.factories import make_account, make_category, make_product

ERRORS = "userErrors { code field message }"
PRODUCT = """product { id slug name description status category { slug }
  images { url altText } priceRange { min { minorUnits currency } max { minorUnits } }
  variants { id sku name price { minorUnits currency } quantityAvailable } }"""
CREATE = f"""mutation($input: ProductCreateInput!) {{ productCreate(input: $input) {{
  {PRODUCT} {ERRORS} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: ProductUpdateInput!) {{
  productUpdate(id: $id, input: $input) {{ {PRODUCT} {ERRORS} }} }}"""
DELETE = f"""mutation($id: ID!) {{ productDelete(id: $id) {{ {PRODUCT} {ERRORS} }} }}"""
VARIANT_UPDATE = f"""mutation($id: ID!, $input: VariantUpdateInput!) {{
  variantUpdate(id: $id, input: $input) {{
    variant {{ sku name price {{ minorUnits }} product {{ priceRange {{
      min {{ minorUnits }} max {{ minorUnits }} }} }} }} {ERRORS} }} }}"""


def new_product(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Wireless Headphones", "description": "Noise cancelling.",
        "status": "ACTIVE", "imageUrls": ["https://img.example.com/h.jpg"],
        "variants": [{"sku": "HEAD-001", "name": "Black", "priceMinorUnits": 24999,
                      "stock": 20},
                     {"sku": "HEAD-002", "name": "Silver", "priceMinorUnits": 25999}],
    }
    data.update(overrides)
    return data


async def create(gql: Any, token: str | None, **overrides: Any) -> dict[str, Any]:
    body = await gql.data(CREATE, {"input": new_product(**overrides)}, token=token)
    return body["productCreate"]  # type: ignore[no-any-return]


async def count(runtime: Any, table: Any) -> int:
    async with runtime.db.read_engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def row(runtime: Any, table: Any, *where: Any) -> Any:
    async with runtime.db.read_engine.connect() as conn:
        return (await conn.execute(select(table).where(*where))).first()


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_seller_creates_a_product(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_category(runtime, slug="audio")
    payload = await create(gql, seller.token, categorySlug="audio", currency="eur")
    assert payload["userErrors"] == []
    product = payload["product"]
    assert product["slug"] == "wireless-headphones" and product["status"] == "ACTIVE"
    assert product["category"] == {"slug": "audio"}
    assert product["images"] == [{"url": "https://img.example.com/h.jpg",
                                  "altText": "Wireless Headphones"}]
    assert product["priceRange"] == {"min": {"minorUnits": 24999, "currency": "EUR"},
                                     "max": {"minorUnits": 25999}}
    assert [(v["sku"], v["quantityAvailable"]) for v in product["variants"]] == [
        ("HEAD-001", 20), ("HEAD-002", 0)]
    assert product["variants"][0]["price"] == {"minorUnits": 24999, "currency": "EUR"}
    level = await row(runtime, stock, stock.c.variant_id == variants.c.id,
                      variants.c.sku == "HEAD-001")
    assert (level.total, level.available, level.low_stock_threshold) == (20, 20, 5)


async def test_defaults_and_unique_slugs(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    plain = await gql.data(CREATE, {"input": {"name": "Ça va? Lamp!", "variants": [
        {"sku": "L-1", "name": "One", "priceMinorUnits": 100}]}}, token=seller.token)
    made = plain["productCreate"]["product"]
    assert made["slug"] == "ca-va-lamp" and made["status"] == "DRAFT"
    assert made["description"] == "" and made["images"] == []
    assert made["priceRange"]["min"]["currency"] == "USD"
    again = await gql.data(CREATE, {"input": {"name": "Ca va lamp", "variants": [
        {"sku": "L-2", "name": "One", "priceMinorUnits": 100}]}}, token=seller.token)
    third = await gql.data(CREATE, {"input": {"name": "ca-va-lamp", "variants": [
        {"sku": "L-3", "name": "One", "priceMinorUnits": 100}]}}, token=seller.token)
    assert again["productCreate"]["product"]["slug"] == "ca-va-lamp-2"
    assert third["productCreate"]["product"]["slug"] == "ca-va-lamp-3"


async def test_who_may_create(gql: Any, runtime: Any) -> None:
    body = await gql(CREATE, {"input": new_product()})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for account_type in ("BUYER", "ADMIN"):
        account = await make_account(runtime, account_type)
        payload = await create(gql, account.token)
        assert codes(payload) == [("FORBIDDEN", None)] and payload["product"] is None
    assert await count(runtime, products) == 0


async def test_invalid_input_reports_every_field_and_creates_nothing(gql: Any,
                                                                     runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    payload = await create(
        gql, seller.token, name="  ", currency="DOLLARS", imageUrls=[
            "https://ok.example.com/a.png", "javascript:alert(1)", "ftp://x.example.com/a"],
        variants=[{"sku": "OK-1", "name": "A", "priceMinorUnits": -1, "stock": -2},
                  {"sku": "OK-1", "name": " ", "priceMinorUnits": 5},
                  {"sku": "has space", "name": "C", "priceMinorUnits": 5}])
    assert payload["product"] is None
    assert sorted(codes(payload), key=str) == sorted([
        ("INVALID_INPUT", ["input", "name"]),
        ("INVALID_INPUT", ["input", "currency"]),
        ("INVALID_INPUT", ["input", "imageUrls", "1"]),
        ("INVALID_INPUT", ["input", "imageUrls", "2"]),
        ("INVALID_INPUT", ["input", "variants", "0", "priceMinorUnits"]),
        ("INVALID_INPUT", ["input", "variants", "0", "stock"]),
        ("INVALID_INPUT", ["input", "variants", "1", "name"]),
        ("INVALID_INPUT", ["input", "variants", "1", "sku"]),
        ("INVALID_INPUT", ["input", "variants", "2", "sku"]),
    ], key=str)
    none = await create(gql, seller.token, variants=[])
    assert codes(none) == [("INVALID_INPUT", ["input", "variants"])]
    assert await count(runtime, products) == 0 and await count(runtime, variants) == 0


async def test_unknown_category_and_taken_sku(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    taken = await make_product(runtime, other.seller_id)
    payload = await create(gql, seller.token, categorySlug="nowhere")
    assert codes(payload) == [("NOT_FOUND", ["input", "categorySlug"])]
    payload = await create(gql, seller.token, variants=[
        {"sku": "FRESH-1", "name": "A", "priceMinorUnits": 100},
        {"sku": taken.skus[0], "name": "B", "priceMinorUnits": 100}])
    assert codes(payload) == [("CONFLICT", ["input", "variants", "1", "sku"])]
    assert await count(runtime, products) == 1 and await count(runtime, variants) == 1
    assert await count(runtime, stock) == 1


async def test_owner_updates_a_product(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    await make_category(runtime, slug="audio")
    made = await make_product(runtime, seller.seller_id, name="Old", status="DRAFT")
    pid = encode_id("Product", made.id)
    payload = (await gql.data(UPDATE, {"id": pid, "input": {
        "name": " New name ", "status": "ACTIVE", "categorySlug": "audio",
        "imageUrls": ["http://a.example.com/1.jpg", "https://a.example.com/2.jpg"]}},
        token=seller.token))["productUpdate"]
    assert payload["userErrors"] == []
    product = payload["product"]
    assert (product["name"], product["status"], product["slug"]) == (
        "New name", "ACTIVE", made.slug)  # renaming keeps the slug
    assert product["category"] == {"slug": "audio"}
    assert [i["url"] for i in product["images"]] == [
        "http://a.example.com/1.jpg", "https://a.example.com/2.jpg"]
    # Fields left out stay; an explicit null category removes it.
    payload = (await gql.data(UPDATE, {"id": pid, "input": {"categorySlug": None}},
                              token=seller.token))["productUpdate"]
    assert payload["product"]["category"] is None
    assert payload["product"]["name"] == "New name" and len(payload["product"]["images"]) == 2


async def test_update_errors_change_nothing(gql: Any, runtime: Any) -> None:
    owner = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, owner.seller_id, name="Keep")
    pid = encode_id("Product", made.id)
    change = {"name": "Hijacked", "imageUrls": []}
    cases = [
        (other.token, pid, change, [("FORBIDDEN", ["id"])]),
        (buyer.token, pid, change, [("FORBIDDEN", None)]),
        (owner.token, encode_id("Product", 999), change, [("NOT_FOUND", ["id"])]),
        (owner.token, "junk", change, [("NOT_FOUND", ["id"])]),
        (owner.token, pid, {"name": "", "imageUrls": ["nope"]},
         [("INVALID_INPUT", ["input", "name"]), ("INVALID_INPUT", ["input", "imageUrls", "0"])]),
        (owner.token, pid, {"name": "Fine", "categorySlug": "missing"},
         [("NOT_FOUND", ["input", "categorySlug"])]),
    ]
    for token, target, data, expected in cases:
        payload = (await gql.data(UPDATE, {"id": target, "input": data},
                                  token=token))["productUpdate"]
        assert codes(payload) == expected and payload["product"] is None
    kept = await row(runtime, products, products.c.id == made.id)
    assert kept.name == "Keep" and await count(runtime, product_images) == 1
    body = await gql(UPDATE, {"id": pid, "input": change})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admin_may_edit_any_product(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    made = await make_product(runtime, seller.seller_id)
    payload = (await gql.data(UPDATE, {"id": encode_id("Product", made.id),
                                       "input": {"status": "ARCHIVED"}},
                              token=admin.token))["productUpdate"]
    assert payload["userErrors"] == [] and payload["product"]["status"] == "ARCHIVED"


async def test_delete_without_history_erases_everything(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, name="Short lived",
                              prices=[100, 200], images=2)
    pid = encode_id("Product", made.id)
    payload = (await gql.data(DELETE, {"id": pid}, token=seller.token))["productDelete"]
    assert payload["userErrors"] == []
    last = payload["product"]
    assert last["id"] == pid and last["name"] == "Short lived" and last["status"] == "ACTIVE"
    assert [v["sku"] for v in last["variants"]] == made.skus and len(last["images"]) == 2
    for table in (products, variants, stock, product_images):
        assert await count(runtime, table) == 0
    assert (await gql.data("query($id: ID){ product(id: $id) { id } }",
                           {"id": pid}))["product"] is None


async def test_delete_with_history_or_cart_lines_archives(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    ordered = await make_product(runtime, seller.seller_id, name="Ordered before")
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(update(products).where(products.c.id == ordered.id)
                           .values(has_history=1))
    in_cart = await make_product(runtime, seller.seller_id, name="In a cart")
    buyer = await make_account(runtime)
    added = await gql.data("""mutation($v: ID!) { cartAddLine(input: {variantId: $v,
      quantity: 1}) { userErrors { code } } }""",
                           {"v": encode_id("ProductVariant", in_cart.variant_ids[0])},
                           token=buyer.token)
    assert added["cartAddLine"]["userErrors"] == []
    for made in (ordered, in_cart):
        payload = (await gql.data(DELETE, {"id": encode_id("Product", made.id)},
                                  token=seller.token))["productDelete"]
        assert payload["userErrors"] == [] and payload["product"]["status"] == "ARCHIVED"
        assert len(payload["product"]["variants"]) == 1
    assert await count(runtime, products) == 2 and await count(runtime, variants) == 2


async def test_delete_errors(gql: Any, runtime: Any) -> None:
    owner = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    made = await make_product(runtime, owner.seller_id)
    pid = encode_id("Product", made.id)
    payload = (await gql.data(DELETE, {"id": pid}, token=other.token))["productDelete"]
    assert codes(payload) == [("FORBIDDEN", ["id"])]
    payload = (await gql.data(DELETE, {"id": encode_id("Product", 999)},
                              token=owner.token))["productDelete"]
    assert codes(payload) == [("NOT_FOUND", ["id"])]
    assert await count(runtime, products) == 1 and await count(runtime, stock) == 1


async def test_variant_update_keeps_the_price_range(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, prices=[1000, 2000, 3000])
    vid = encode_id("ProductVariant", made.variant_ids[2])
    payload = (await gql.data(VARIANT_UPDATE, {"id": vid, "input": {
        "priceMinorUnits": 500, "name": "Cheaper"}}, token=seller.token))["variantUpdate"]
    assert payload["userErrors"] == []
    variant = payload["variant"]
    assert variant["name"] == "Cheaper" and variant["price"] == {"minorUnits": 500}
    assert variant["product"]["priceRange"] == {"min": {"minorUnits": 500},
                                                "max": {"minorUnits": 2000}}
    listed = await gql.data("""{ products(filter: {maxPrice: 600}) { edges { node {
      priceRange { min { minorUnits } } } } } }""")
    assert len(listed["products"]["edges"]) == 1
    only_name = (await gql.data(VARIANT_UPDATE, {"id": vid, "input": {"name": "Renamed"}},
                                token=seller.token))["variantUpdate"]
    assert only_name["variant"]["price"] == {"minorUnits": 500}


async def test_variant_update_errors_change_nothing(gql: Any, runtime: Any) -> None:
    owner = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, owner.seller_id, prices=[1000])
    vid = encode_id("ProductVariant", made.variant_ids[0])
    cases = [
        (other.token, vid, {"priceMinorUnits": 1}, [("FORBIDDEN", ["id"])]),
        (buyer.token, vid, {"priceMinorUnits": 1}, [("FORBIDDEN", None)]),
        (owner.token, encode_id("ProductVariant", 999), {"priceMinorUnits": 1},
         [("NOT_FOUND", ["id"])]),
        (owner.token, vid, {"priceMinorUnits": -5, "name": " "},
         [("INVALID_INPUT", ["input", "name"]),
          ("INVALID_INPUT", ["input", "priceMinorUnits"])]),
    ]
    for token, target, data, expected in cases:
        payload = (await gql.data(VARIANT_UPDATE, {"id": target, "input": data},
                                  token=token))["variantUpdate"]
        assert codes(payload) == expected and payload["variant"] is None
    kept = await row(runtime, variants, variants.c.id == made.variant_ids[0])
    assert kept.price_minor == 1000
    product = await row(runtime, products, products.c.id == made.id)
    assert (product.min_price_minor, product.max_price_minor) == (1000, 1000)


async def test_concurrent_creates_of_one_name_get_distinct_slugs(gql: Any,
                                                                 runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    payloads = await asyncio.gather(*(
        create(gql, seller.token, variants=[
            {"sku": f"RACE-{i}", "name": "One", "priceMinorUnits": 100}])
        for i in range(5)))
    assert all(p["userErrors"] == [] for p in payloads)
    assert sorted(p["product"]["slug"] for p in payloads) == [
        "wireless-headphones", *(f"wireless-headphones-{n}" for n in range(2, 6))]
    same_sku = await asyncio.gather(*(
        create(gql, seller.token, variants=[
            {"sku": "ONLY-ONE", "name": "One", "priceMinorUnits": 100}])
        for _ in range(3)))
    assert sorted(p["userErrors"][0]["code"] if p["userErrors"] else "ok"
                  for p in same_sku) == ["CONFLICT", "CONFLICT", "ok"]
    assert await count(runtime, products) == 6
