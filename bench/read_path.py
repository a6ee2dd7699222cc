"""The read path: statements, read-pool checkouts, sessions opened and requests/s for the
catalogue page (`products(first: 20)` with variants, price, quantityAvailable, images,
totalCount), through the real app in-process with concurrent clients.

    .venv/bin/python bench/read_path.py [--seconds 10] [--clients 16]
    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/bench .venv/bin/python ...

Runs against whichever commit is checked out (it uses only the public API and SQLAlchemy's
pool events), so the same script gives the before and after figures.

2026-12-04, this 2-core machine, PostgreSQL, demo catalogue, 16 clients, 10 s, two runs each:
  before (d7fa234): 4 counted statements (+ BEGIN/ROLLBACK per checkout, not counted then),
                    4 checkouts/request, 72-75 requests/s, 287-302 new sessions per 10 s
  after (read-conn): 4 statements (all of them), 1 checkout/request, 88-97 requests/s,
                    0 new sessions
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from ops.seed import seed_demo  # noqa: E402
from adapters.security.passwords import Argon2PasswordHasher  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.database import drop_database, reset_schema, test_database_url  # noqa: E402

PAGE = """{ products(first: 20) { totalCount edges { node { name
  priceRange { min { amount } } images { url }
  variants { sku quantityAvailable price { amount } } } } } }"""


class PoolEvents:
    def __init__(self, engines: list[Any]) -> None:
        self.checkouts = self.connects = 0
        for engine in {id(e): e for e in engines}.values():
            event.listen(engine.sync_engine.pool, "checkout", self._checkout)
            event.listen(engine.sync_engine.pool, "connect", self._connect)

    def _checkout(self, *_: Any) -> None:
        self.checkouts += 1

    def _connect(self, *_: Any) -> None:
        self.connects += 1


async def main(seconds: float, clients: int) -> None:
    url = test_database_url(Path(tempfile.mkdtemp()))
    await reset_schema(url)
    settings = replace(Settings(), database_url=url, sweeper_enabled=False)
    await seed_demo(settings, password_hasher=Argon2PasswordHasher(fast=True), quiet=True)
    app = create_app(settings)
    db = app.state.runtime.db
    pools = PoolEvents([db.write_engine, db.read_engine])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as http:
        for _ in range(20):  # warm: compile SQL, fill the pools; not measured
            await asyncio.gather(*(http.post("/graphql", json={"query": PAGE})
                                   for _ in range(clients)))
        db.statements.reset()
        pools.checkouts = pools.connects = 0
        body = (await http.post("/graphql", json={"query": PAGE})).json()
        assert not body.get("errors"), body
        one = (db.statements.count, pools.checkouts)
        pools.checkouts = pools.connects = 0
        done = 0
        stop = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                response = await http.post("/graphql", json={"query": PAGE})
                assert response.status_code == 200 and "errors" not in response.json()
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    print(f"database: {db.dialect}; demo catalogue; {clients} clients for {seconds:.0f} s")
    print(f"catalogue page: {one[0]} statements, {one[1]} pooled checkouts per request")
    print(f"under load: {done / elapsed:.1f} requests/s, "
          f"{pools.checkouts / max(done, 1):.2f} checkouts/request, "
          f"{pools.connects} new database sessions")
    await db.dispose()
    await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.clients))
