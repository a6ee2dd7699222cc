"""Catalogue reads on the demo data: latency (p50/p99) and SQL statements for a full product
page, a search and a single product, through the real app in-process.

    .venv/bin/python bench/catalog_products.py [--rounds 200]
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
from ops.seed import seed_demo  # noqa: E402
from adapters.security.passwords import Argon2PasswordHasher  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.database import drop_database, reset_schema, test_database_url  # noqa: E402

PAGE = """{ products(first: 50) { totalCount edges { cursor node { id name
  priceRange { min { amount } max { amount } } availableForSale seller { displayName }
  category { name } images { url } variants { sku quantityAvailable price { amount } } } }
  pageInfo { hasNextPage endCursor } } }"""
SEARCH = """{ products(first: 20, filter: {search: "wireless headphones", inStockOnly: true},
  sort: RELEVANCE) { totalCount edges { node { name priceRange { min { amount } } } } } }"""
WARMUP = 10
ONE = """{ product(slug: "wireless-headphones") { name variants { sku price { amount } }
  seller { displayName } } }"""


async def main(rounds: int) -> None:
    url = test_database_url(Path(tempfile.mkdtemp()))
    await reset_schema(url)
    settings = replace(Settings(), database_url=url, sweeper_enabled=False,
                       response_cache_ttl_seconds=0)  # uncached; bench/response_cache.py
    await seed_demo(settings, password_hasher=Argon2PasswordHasher(fast=True), quiet=True)
    app = create_app(settings)
    runtime = app.state.runtime
    freeze_startup_heap()  # as the server's start-up does
    print(f"database: {runtime.db.dialect}; demo catalogue; {rounds} rounds each")
    print(f"{'query':<28} {'p50 ms':>8} {'p99 ms':>8} {'statements':>11}")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as http:
        for label, query in (("products(first: 50) + all", PAGE),
                             ("search + RELEVANCE", SEARCH), ("product(slug)", ONE)):
            for _ in range(WARMUP):  # compile SQL and warm caches; not timed
                await http.post("/graphql", json={"query": query})
            timings, counts = [], []
            for _ in range(rounds):
                runtime.db.statements.reset()
                start = time.perf_counter()
                body = (await http.post("/graphql", json={"query": query})).json()
                timings.append((time.perf_counter() - start) * 1000)
                counts.append(runtime.db.statements.count)
                assert not body.get("errors"), body
            p99 = statistics.quantiles(timings, n=100)[98]
            print(f"{label:<28} {statistics.median(timings):>8.2f} {p99:>8.2f} "
                  f"{max(counts):>11}")
    await runtime.db.dispose()
    await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(main(parser.parse_args().rounds))
