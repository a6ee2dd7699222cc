"""Where a request's time goes: `{ __typename }` and the catalogue page (products(first: 20)
with variants, price, quantityAvailable, images, totalCount) through the real app in-process
(httpx's ASGI transport, no network), on the demo data. Prints the median latency of each,
then pyinstrument's sampled time per layer (graphql-core parse/validation/execute,
strawberry, SQLAlchemy, the driver, ...). pyinstrument is not a project dependency:

    .venv/bin/pip install pyinstrument
    .venv/bin/python bench/profile_request.py [--rounds 400]

The figures are recorded in docs/architecture.md, "Where a request's time goes".
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from ops.seed import seed_demo  # noqa: E402
from adapters.security.passwords import Argon2PasswordHasher  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.database import drop_database, reset_schema, test_database_url  # noqa: E402

TYPENAME = "{ __typename }"
CATALOGUE = """{ products(first: 20) { totalCount edges { node { id name
  priceRange { min { amount currency } } images { url altText }
  variants { id sku quantityAvailable price { amount currency } } } } } }"""
# (bucket, path fragments): a sample belongs to the innermost frame that matches one.
BUCKETS = (
    ("graphql-core parse", ("graphql/language/parser", "graphql/language/lexer",
                            "graphql/language/source", "graphql/language/token")),
    ("graphql-core validation", ("graphql/validation", "graphql/language/visitor",
                                 "graphql/utilities/type_info")),
    ("graphql-core execute", ("graphql/execution", "graphql/pyutils", "graphql/type")),
    ("strawberry", ("/strawberry/",)),
    ("SQLAlchemy", ("/sqlalchemy/",)),
    ("driver (aiosqlite/asyncpg)", ("aiosqlite", "asyncpg", "sqlite3")),
    ("JSON encode/decode", ("/json/", "orjson")),
    ("HTTP (starlette + httpx client)", ("/starlette/", "/httpx/", "/httpcore/", "anyio")),
    ("project code", ("/schema/", "/resolvers/", "/dataloaders/", "/persistence/",
                      "/adapters/", "/web/", "/domain/", "app.py")),
    ("event loop", ("asyncio",)),
)


def _bucket(path: str | None, current: str) -> str:
    for name, fragments in BUCKETS:
        if path and any(f in path for f in fragments):
            return name
    return current


def _shares(frame: Any, current: str, totals: Counter[str]) -> None:
    here = _bucket(frame.file_path, current)
    children = frame.children
    totals[here] += frame.time - sum(c.time for c in children)
    for child in children:
        _shares(child, here, totals)


async def _run(http: httpx.AsyncClient, query: str, rounds: int) -> list[float]:
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        body = (await http.post("/graphql", json={"query": query})).json()
        timings.append((time.perf_counter() - start) * 1000)
        assert not body.get("errors"), body
    return timings


async def main(rounds: int) -> None:
    from pyinstrument import Profiler

    url = test_database_url(Path(tempfile.mkdtemp()))
    await reset_schema(url)
    # The response cache off: what is profiled is the work of answering, not a cache hit.
    settings = replace(Settings(), database_url=url, sweeper_enabled=False,
                       response_cache_ttl_seconds=0)
    await seed_demo(settings, password_hasher=Argon2PasswordHasher(fast=True), quiet=True)
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as http:
        for label, query in (("{ __typename }", TYPENAME), ("catalogue page", CATALOGUE)):
            await _run(http, query, 20)  # warm caches and compiled SQL; not timed
            timings = await _run(http, query, rounds)
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            await _run(http, query, rounds)
            profiler.stop()
            totals: Counter[str] = Counter()
            root = profiler.last_session.root_frame() if profiler.last_session else None
            if root is not None:
                _shares(root, "other", totals)
            whole = sum(totals.values()) or 1.0
            print(f"\n{label}: median {statistics.median(timings):.2f} ms, "
                  f"{1000 / statistics.median(timings):.0f} requests/s sequential")
            for name, seconds in totals.most_common():
                print(f"  {name:<34} {100 * seconds / whole:5.1f}%")
    await app.state.runtime.db.dispose()
    await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=400)
    asyncio.run(main(parser.parse_args().rounds))
