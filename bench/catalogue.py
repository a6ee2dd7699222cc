"""A deterministic catalogue for the bench (issue 10, item 6): N products of a few sellers and
categories, each with 1-3 variants priced 1.00-509.57, stock 0-199 (about 11% at zero) and one
image. The same seed gives the same rows, on SQLite and on PostgreSQL.

    rows = generate(10_000)          # plain dicts per table, in insertion order
    await load(database_url, rows)   # into a migrated, empty database (multi-row INSERTs)
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import metadata

SELLERS = 5
CATEGORIES = 8
MIN_PRICE, MAX_PRICE = 100, 50957  # 1.00 .. 509.57, minor units
TABLES = ("users", "sellers", "categories", "products", "product_images", "variants", "stock")
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
WORDS = ("wireless", "headphones", "lamp", "kettle", "chair", "jacket", "notebook", "speaker",
         "backpack", "mug", "camera", "watch", "sneakers", "blender", "desk", "pillow")


def generate(products: int = 10_000, seed: int = 10) -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(seed)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for s in range(1, SELLERS + 1):
        rows["users"].append({"id": s, "email": f"seller{s}@bench.invalid", "name": f"Seller {s}",
                              "password_hash": None, "account_type": "SELLER",
                              "created_at": EPOCH})
        rows["sellers"].append({"id": s, "user_id": s, "display_name": f"Bench Seller {s}",
                                "created_at": EPOCH})
    for c in range(1, CATEGORIES + 1):
        rows["categories"].append({"id": c, "slug": f"category-{c}", "name": f"Category {c}",
                                   "position": c})
    variant_id = 0
    for p in range(1, products + 1):
        created = EPOCH + timedelta(minutes=p)
        prices = []
        for v in range(rnd.randint(1, 3)):
            variant_id += 1
            price = rnd.randint(MIN_PRICE, MAX_PRICE)
            if variant_id == 1:
                price = MIN_PRICE
            elif variant_id == 2:
                price = MAX_PRICE
            prices.append(price)
            available = 0 if rnd.random() < 0.11 else rnd.randint(1, 199)
            rows["variants"].append({"id": variant_id, "product_id": p,
                                     "sku": f"BENCH-{p:05d}-{v + 1}", "name": f"Option {v + 1}",
                                     "price_minor": price, "position": v,
                                     "created_at": created})
            rows["stock"].append({"variant_id": variant_id, "total": available,
                                  "available": available, "reserved": 0, "allocated": 0,
                                  "low_stock_threshold": 5})
        name = f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS)} {p}"
        rows["products"].append({
            "id": p, "seller_id": 1 + p % SELLERS, "category_id": 1 + p % CATEGORIES,
            "slug": f"bench-product-{p}", "name": name, "description": f"Bench product {p}.",
            "status": "ACTIVE", "currency": "USD", "min_price_minor": min(prices),
            "max_price_minor": max(prices), "has_history": 0, "created_at": created,
            "updated_at": created})
        rows["product_images"].append({"id": p, "product_id": p, "position": 0,
                                       "url": f"https://img.bench.invalid/products/{p}.jpg",
                                       "alt_text": name})
    return rows


async def load(database_url: str, rows: dict[str, list[dict[str, Any]]],
               chunk: int = 5000) -> None:
    """Insert `rows` into a migrated, empty database, one transaction; multi-row INSERTs of
    `chunk` rows (SQLAlchemy's insertmanyvalues), then PostgreSQL's id sequences moved past
    the loaded ids so that later inserts by the app do not collide."""
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            for name in TABLES:
                table = metadata.tables[name]
                data = rows[name]
                for start in range(0, len(data), chunk):
                    await conn.execute(insert(table), data[start:start + chunk])
            if engine.dialect.name == "postgresql":
                for name in TABLES:
                    if "id" in metadata.tables[name].c:
                        await conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f"(SELECT max(id) FROM {name}))")
            await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
