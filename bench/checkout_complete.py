"""checkoutComplete (place the order and pay it with the offline provider): latency p50/p99
and SQL statements, for carts of 1, 5 and 20 lines, through the real app in-process.

    .venv/bin/python bench/checkout_complete.py [--rounds 50]
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
from adapters.security.passwords import Argon2PasswordHasher  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.database import drop_database, reset_schema, test_database_url  # noqa: E402
from tests.support.factories import make_account, make_product  # noqa: E402
from bench.statements import ADD, ADDRESS, START  # noqa: E402

COMPLETE = """mutation($id: ID!, $key: String!) { checkoutComplete(id: $id,
  input: {paymentMethod: "pm_card_visa", idempotencyKey: $key}) {
  order { number status pricing { total { amount } } } payment { status }
  userErrors { code } } }"""


async def main(rounds: int) -> None:
    url = test_database_url(Path(tempfile.mkdtemp()))
    await reset_schema(url)
    app = create_app(replace(Settings(), database_url=url, sweeper_enabled=False,
                             mutation_rate_limit_per_minute=10**9),
                     password_hasher=Argon2PasswordHasher(fast=True))
    runtime = app.state.runtime
    freeze_startup_heap()
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, prices=[999] * 20,
                                 stock_each=10**6, images=0)
    print(f"database: {runtime.db.dialect}; {rounds} timed checkoutComplete calls per size")
    print(f"{'lines':>6} {'p50 ms':>8} {'p99 ms':>8} {'statements':>11}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as http:
        for size in (1, 5, 20):
            timings, counts = [], []
            for n in range(rounds + 3):
                buyer = await make_account(runtime)
                headers = {"Authorization": f"Bearer {buyer.token}"}

                async def call(query: str, variables: dict[str, object],
                               headers: dict[str, str] = headers) -> dict[str, object]:
                    response = await http.post("/graphql", headers=headers, json={
                        "query": query, "variables": variables})
                    return response.json()  # type: ignore[no-any-return]

                for i in range(size):
                    await call(ADD, {"v": encode_id("ProductVariant", product.variant_ids[i])})
                sid = (await call(START, {}))["data"]["checkoutStart"]["checkout"]["id"]  # type: ignore[index]
                await call(ADDRESS, {"id": sid})
                runtime.db.statements.reset()
                start = time.perf_counter()
                body = await call(COMPLETE, {"id": sid, "key": f"k{n}"})
                elapsed = (time.perf_counter() - start) * 1000
                assert body["data"]["checkoutComplete"]["payment"]["status"] == "SUCCEEDED", body  # type: ignore[index]
                if n >= 3:  # warm-up
                    timings.append(elapsed)
                    counts.append(runtime.db.statements.count)
            p99 = statistics.quantiles(timings, n=100)[98]
            print(f"{size:>6} {statistics.median(timings):>8.2f} {p99:>8.2f} "
                  f"{max(counts):>11}")
    await runtime.db.dispose()
    await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    asyncio.run(main(parser.parse_args().rounds))
