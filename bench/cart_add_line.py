"""cartAddLine latency (p50/p99) and SQL statements per cartAddLine, for carts of 1, 10 and 50
lines. Runs the real app in-process (httpx ASGI transport) on a fresh database: a SQLite file
in a temp dir, or DATABASE_URL's PostgreSQL (a private database is created and dropped).

    .venv/bin/python bench/cart_add_line.py [--rounds 200]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, freeze_startup_heap  # noqa: E402
from domain.ids import encode_id  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.database import drop_database, reset_schema, test_database_url  # noqa: E402
from tests.support.factories import make_account, make_product  # noqa: E402

ADD = """mutation($input: CartLineInput!) { cartAddLine(input: $input) {
  cart { totalQuantity subtotal { amount } lines { quantity unitPrice { amount } variant { sku } } }
  userErrors { code } } }"""
REMOVE = """mutation($id: ID!) { cartRemoveLine(lineId: $id) { userErrors { code } } }"""
CART = "{ cart { lines { id variant { id } } } }"
WARMUP = 10


async def main(rounds: int) -> None:
    url = test_database_url(Path(tempfile.mkdtemp()))
    await reset_schema(url)
    app = create_app(replace(Settings(), database_url=url, sweeper_enabled=False,
                             mutation_rate_limit_per_minute=10**9))
    runtime = app.state.runtime
    freeze_startup_heap()  # as the server's start-up does
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    product = await make_product(runtime, seller.seller_id, prices=[1999] * 52,
                                 stock_each=10**6, images=0)
    headers = {"Authorization": f"Bearer {buyer.token}"}
    transport = httpx.ASGITransport(app=app)
    print(f"database: {runtime.db.dialect}; {rounds} timed cartAddLine calls per cart size")
    print(f"{'lines':>6} {'p50 ms':>8} {'p99 ms':>8} {'statements (min/max)':>21}")
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        async def call(query: str, variables: dict[str, object]) -> dict[str, object]:
            response = await http.post("/graphql", json={"query": query, "variables": variables},
                                       headers=headers)
            return response.json()  # type: ignore[no-any-return]

        async def remove_line(variant_pk: int) -> None:
            lines = (await call(CART, {}))["data"]["cart"]["lines"]  # type: ignore[index]
            for line in lines:
                if line["variant"]["id"] == encode_id("ProductVariant", variant_pk):
                    await call(REMOVE, {"id": line["id"]})

        await call(CART, {})  # the cart exists before timing (creation is not measured)
        for size in (1, 10, 50):
            for i in range(size - 1):  # fill the cart to size - 1 distinct lines
                await call(ADD, {"input": {"variantId": encode_id(
                    "ProductVariant", product.variant_ids[i]), "quantity": 1}})
            target_pk = product.variant_ids[51]
            target = encode_id("ProductVariant", target_pk)
            timings, counts = [], []
            for n in range(WARMUP + rounds):
                if n % 90 == 0:  # a line holds at most 100 units: start the target line anew
                    await remove_line(target_pk)
                runtime.db.statements.reset()
                start = time.perf_counter()
                body = await call(ADD, {"input": {"variantId": target, "quantity": 1}})
                if n >= WARMUP:  # the first calls compile SQL and warm caches
                    timings.append((time.perf_counter() - start) * 1000)
                    counts.append(runtime.db.statements.count)
                assert not body.get("errors") and not body["data"]["cartAddLine"]["userErrors"]
            p99 = statistics.quantiles(timings, n=100)[98]
            print(f"{size:>6} {statistics.median(timings):>8.2f} {p99:>8.2f} "
                  f"{min(counts):>10}/{max(counts):<10}")
            lines = (await call(CART, {}))["data"]["cart"]["lines"]  # type: ignore[index]
            for line in lines:
                await call(REMOVE, {"id": line["id"]})
    await runtime.db.dispose()
    await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(main(parser.parse_args().rounds))
