"""The bench's catalogue loader is deterministic and loads what it generates, and the plain
ASGI + asyncpg route answers the same JSON as our server for the same catalogue page
(bench/catalogue.py, bench/plain_app.py; issue 10, item 6). No timing here."""
from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench.catalogue import MAX_PRICE, MIN_PRICE, generate, load
from bench.plain_app import PlainApp
from bench.statements import PAGE


def test_the_catalogue_is_deterministic_and_shaped_as_the_issue_says() -> None:
    rows = generate(2000)
    assert rows == generate(2000)
    assert rows != generate(2000, seed=11)
    per_product: dict[int, int] = {}
    for v in rows["variants"]:
        per_product[v["product_id"]] = per_product.get(v["product_id"], 0) + 1
    assert set(per_product.values()) == {1, 2, 3} and len(per_product) == 2000
    prices = [v["price_minor"] for v in rows["variants"]]
    assert min(prices) == MIN_PRICE == 100 and max(prices) == MAX_PRICE == 50957
    zero = sum(1 for s in rows["stock"] if s["available"] == 0) / len(rows["stock"])
    assert 0.09 < zero < 0.13, zero
    assert max(s["available"] for s in rows["stock"]) <= 199
    assert sorted(i["product_id"] for i in rows["product_images"]) == list(range(1, 2001))


async def test_the_loader_loads_every_generated_row(settings: Any) -> None:
    rows = generate(50)
    await load(settings.database_url, rows)
    engine = create_async_engine(settings.database_url)
    async with engine.connect() as conn:
        for table in ("products", "variants", "stock", "product_images", "sellers"):
            count = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar()
            assert count == len(rows[table]), table
    await engine.dispose()


async def test_the_plain_route_answers_the_same_json_as_our_server(
        settings: Any, app: Any) -> None:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("the plain app runs on asyncpg: PostgreSQL only")
    await load(settings.database_url, generate(30))
    plain = PlainApp(url.set(drivername="postgresql").render_as_string(hide_password=False))
    plain.pool = await asyncpg.create_pool(plain.dsn, min_size=1, max_size=2)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://ours") as ours, \
                httpx.AsyncClient(transport=httpx.ASGITransport(app=plain),  # type: ignore[arg-type]
                                  base_url="http://plain") as floor:
            expected = (await ours.post("/graphql", json={"query": PAGE})).json()
            # bench/run.py hands the plain app what our server adds beside `data` (the cost)
            assert set(expected) == {"data", "extensions"}
            plain.extensions = expected["extensions"]
            answered = (await floor.post("/page", json={"query": PAGE})).json()
    finally:
        await plain.pool.close()
    assert len(expected["data"]["products"]["edges"]) == 20
    assert expected["data"]["products"]["totalCount"] == 30
    assert answered == expected
