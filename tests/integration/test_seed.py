"""`seed_demo` on the test database: the demo data is there, and running it twice changes
nothing."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ops.seed import seed_demo
from persistence.tables import (
    categories,
    ledger_accounts,
    product_images,
    products,
    promotions,
    sellers,
    stock,
    users,
    variants,
)

TABLES = (categories, users, sellers, ledger_accounts, products, variants, stock,
          product_images, promotions)


async def _counts(runtime: Any) -> dict[str, int]:
    async with runtime.db.read_engine.connect() as conn:
        return {t.name: int((await conn.execute(select(func.count()).select_from(t))).scalar_one())
                for t in TABLES}


async def test_seed_is_complete_and_idempotent(settings: Any, runtime: Any,
                                               fast_hasher: Any, capsys: Any) -> None:
    await seed_demo(settings, password_hasher=fast_hasher)
    assert "buyer@example.com / buyer-password" in capsys.readouterr().out
    first = await _counts(runtime)
    await seed_demo(settings, password_hasher=fast_hasher, quiet=True)
    assert await _counts(runtime) == first
    assert first["categories"] == 8 and first["sellers"] == 3
    assert first["ledger_accounts"] == 3 and first["promotions"] == 1
    assert first["products"] >= 60 and first["stock"] == first["variants"]
    assert first["product_images"] == first["products"]
    async with runtime.db.read_engine.connect() as conn:
        active = (await conn.execute(select(func.count()).select_from(products).where(
            products.c.status == "ACTIVE"))).scalar_one()
        assert active == first["products"]
        per_product = (await conn.execute(select(func.count()).select_from(variants)
                                          .group_by(variants.c.product_id))).scalars().all()
        assert set(per_product) == {1, 2, 3}
        headphones = (await conn.execute(
            select(products, variants.c.sku, variants.c.price_minor, stock.c.available)
            .join(variants, variants.c.product_id == products.c.id)
            .join(stock, stock.c.variant_id == variants.c.id)
            .where(variants.c.sku == "HEAD-001"))).one()
        assert headphones.name == "Wireless Headphones" and headphones.price_minor == 24999
        assert headphones.min_price_minor == 24999 and headphones.available >= 20
        promo = (await conn.execute(select(promotions))).one()
        assert (promo.code, promo.kind, promo.value, promo.seller_id) == (
            "SUMMER2024", "PERCENT", 20, None)
        hashes = dict((await conn.execute(select(users.c.email, users.c.password_hash))).all())
    assert fast_hasher.verify(hashes["buyer@example.com"], "buyer-password")
    assert fast_hasher.verify(hashes["seller1@example.com"], "seller-password")
    assert hashes["platform@example.com"] is None


async def test_seeded_demo_works_through_the_api(settings: Any, fast_hasher: Any,
                                                 gql: Any) -> None:
    await seed_demo(settings, password_hasher=fast_hasher, quiet=True)
    found = await gql.data("""{ products(filter: {search: "wireless headphones"}) {
      edges { node { name priceRange { min { amount } } variants { sku quantityAvailable }
      seller { displayName } category { slug } } } } }""")
    node = found["products"]["edges"][0]["node"]
    assert node["name"] == "Wireless Headphones" and node["priceRange"]["min"]["amount"] == "249.99"
    assert node["variants"][0] == {"sku": "HEAD-001", "quantityAvailable": 50}
    assert node["category"] == {"slug": "audio"}
    everything = await gql.data("{ products(first: 100) { totalCount } categories { slug } }")
    assert everything["products"]["totalCount"] >= 60 and len(everything["categories"]) == 8
    for email, password in (("buyer@example.com", "buyer-password"),
                            ("seller2@example.com", "seller-password")):
        login = await gql.data("""mutation($e: String!, $p: String!) { login(email: $e,
          password: $p) { token userErrors { code } } }""", {"e": email, "p": password})
        assert login["login"]["userErrors"] == [] and login["login"]["token"]
