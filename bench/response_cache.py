"""The catalogue page through the response cache (docs/rules.md, "Response cache"): latency
(p50/p99) and statements, uncached (RESPONSE_CACHE_TTL_SECONDS=0), cached (POST and GET), and
a read right after each invalidating mutation (a miss). Real app in-process on the demo data.

    .venv/bin/python bench/response_cache.py [--rounds 300]
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
from typing import Any, Awaitable, Callable

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app, freeze_startup_heap  # noqa: E402
from adapters.security.passwords import Argon2PasswordHasher  # noqa: E402
from ops.seed import seed_demo  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.database import drop_database, reset_schema, test_database_url  # noqa: E402

PAGE = """{ products(first: 20) { totalCount edges { node { id name
  priceRange { min { amount } max { amount } } images { url }
  variants { sku quantityAvailable price { amount } } } } } }"""
WARMUP = 10


async def timed(rounds: int, runtime: Any, call: Callable[[], Awaitable[httpx.Response]],
                between: Callable[[], Awaitable[Any]] | None = None) -> tuple[float, float, int]:
    for _ in range(WARMUP):
        await call()
    timings, counts = [], []
    for _ in range(rounds):
        if between is not None:
            await between()
        runtime.db.statements.reset()
        start = time.perf_counter()
        response = await call()
        timings.append((time.perf_counter() - start) * 1000)
        counts.append(runtime.db.statements.count)
        assert response.status_code == 200 and "errors" not in response.json(), response.text
    return statistics.median(timings), statistics.quantiles(timings, n=100)[98], max(counts)


async def main(rounds: int) -> None:
    url = test_database_url(Path(tempfile.mkdtemp()))
    await reset_schema(url)
    base = replace(Settings(), database_url=url, sweeper_enabled=False)
    await seed_demo(base, password_hasher=Argon2PasswordHasher(fast=True), quiet=True)
    apps = {ttl: create_app(replace(base, response_cache_ttl_seconds=ttl)) for ttl in (0, 60)}
    freeze_startup_heap()
    print(f"database: {apps[0].state.runtime.db.dialect}; demo catalogue; {rounds} rounds each")
    print(f"{'catalogue page (first: 20)':<34} {'p50 ms':>8} {'p99 ms':>8} {'statements':>11}")
    for label, ttl, method in (("uncached (TTL 0), POST", 0, "POST"),
                               ("cached, POST", 60, "POST"), ("cached, GET", 60, "GET"),
                               ("after each invalidation, POST", 60, "INVALIDATED")):
        app = apps[ttl]
        runtime = app.state.runtime
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench") as http:
            def call(method: str = method) -> Awaitable[httpx.Response]:
                if method == "GET":
                    return http.get("/graphql", params={"query": PAGE})
                return http.post("/graphql", json={"query": PAGE})

            cache = runtime.response_cache
            between = cache.invalidate if method == "INVALIDATED" else None
            p50, p99, statements = await timed(rounds, runtime, call, between)
        print(f"{label:<34} {p50:>8.2f} {p99:>8.2f} {statements:>11}")
    for app in apps.values():
        await app.state.runtime.db.dispose()
    await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    asyncio.run(main(parser.parse_args().rounds))
