"""What the per-request account check costs (adapters/security/account_check.py): resolving
the viewer of one access token, i.e. verifying the JWT and checking the account's state, measured
- JWT verification alone (the old cost, for reference);
- cache hit in this process's memory (the common case without REDIS_URL);
- cache miss: one statement on the database (SQLite file, or DATABASE_URL's PostgreSQL);
- Redis hit (REDIS_URL given, default redis://127.0.0.1:6379/0) and Redis miss (Redis GET,
  database read, Redis SET).

    .venv/bin/python bench/token_check.py [--rounds 2000] [--redis-url redis://...]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Awaitable, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from adapters.security.account_check import account_states  # noqa: E402
from adapters.security.identity import resolve_viewer  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.database import drop_database, reset_schema, test_database_url  # noqa: E402
from tests.support.factories import make_account  # noqa: E402


async def timed(rounds: int, step: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    for _ in range(min(50, rounds)):
        await step()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await step()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


async def measure(settings: Settings, rounds: int, label: str) -> None:
    app = create_app(settings)
    runtime = app.state.runtime
    buyer = await make_account(runtime)
    states = account_states(runtime)
    now = runtime.clock.now

    async def verify_only() -> None:
        runtime.tokens.verify(buyer.token, now=now())

    async def hit() -> None:
        await resolve_viewer(runtime, buyer.token)

    async def miss() -> None:
        await states.forget(buyer.user_id)
        await resolve_viewer(runtime, buyer.token)

    async def forget_only() -> None:
        await states.forget(buyer.user_id)

    cases = [("JWT verify only", verify_only), (f"{label} hit", hit), (f"{label} miss", miss)]
    for name, step in cases:
        p50, p99 = await timed(rounds, step)
        if step is miss:  # the miss includes dropping the entry: report it without
            f50, _ = await timed(rounds, forget_only)
            name, p50 = f"{name} (minus forget {f50:.0f} us)", p50 - f50
        print(f"{name:<44} p50 {p50:8.1f} us   p99 {p99:8.1f} us")
    await states.close()
    await runtime.db.dispose()


async def main(rounds: int, redis_url: str) -> None:
    url = test_database_url(Path(tempfile.mkdtemp()))
    await reset_schema(url)
    base = replace(Settings(), database_url=url, sweeper_enabled=False)
    print(f"database: {url.split(':')[0]}; {rounds} viewer resolutions per case")
    try:
        await measure(base, rounds, "memory cache")
        try:
            await measure(replace(base, redis_url=redis_url,
                                  redis_key_prefix=f"bench-{uuid.uuid4().hex}:"), rounds,
                          "Redis cache")
        except OSError as exc:
            print(f"Redis at {redis_url} not reachable: {exc}")
    finally:
        await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.redis_url))
