"""Mixed load (issue 10, item 1; README "Benchmarks"): checkoutComplete against cartAddLine.

    .venv/bin/python -m bench.mixed_load [--duration 60] [--users 24] [--products 2000]
                                         [--seed 10] [--sample]

Prepares a PostgreSQL database of its own (bench_mixed), loads the deterministic catalogue
(bench/catalogue.py), starts TWO server processes as production would (bench/run.py's
our_server: APP_ENV=production, the offline payment provider, DB_POOL_SIZE=16; one shared
JWT secret; the per-user mutation rate limit off, as 24 users from one address would trip it),
registers one buyer per user through the API, then runs the users in this process (asyncio +
httpx, half on each server). Each user, in a loop with its own seeded random: the catalogue
page, one to three product details each followed by a cartAddLine of an in-stock variant
(mostly products of that page: the hot rows of a real shop), then, one visit in two, checkout
(checkoutStart, checkoutUpdate with an address, checkoutComplete with a card that succeeds).
Prints per operation count, p50, p95, p99 (ms), errors, and checkoutComplete p99 / cartAddLine
p99 against the goal (<= 3). `--sample` also samples pg_stat_activity every 50 ms (what the
bench database's backends wait on, and which statements wait on a lock) and prints the counts;
`--phases` runs the servers through bench/phase_server.py and prints checkoutComplete's phases
(placing transaction, provider call, outcome transaction, reading the order).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench.run import our_server, prepare
from bench.statements import ADD, ADDRESS, COMPLETE, DETAIL, PAGE, START

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_mixed"
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  token userErrors { code } } }"""
PAGE_SLUGS = "{ products(first: 20) { edges { node { slug } } } }"
OPERATIONS = ("catalogue page", "product detail", "cartAddLine", "checkoutStart",
              "checkoutUpdate", "checkoutComplete")
GOAL = 3.0
WAITS = """SELECT a.state, a.wait_event_type, left(a.query, 60) AS query,
  b.state AS holder_state, left(b.query, 60) AS holder_query
FROM pg_stat_activity a
LEFT JOIN pg_stat_activity b ON b.pid = (pg_blocking_pids(a.pid))[1]
WHERE a.datname = :db AND a.state <> 'idle' AND a.pid <> pg_backend_pid()
"""


class Users:
    """The shared state of one run: timings per operation, errors, the page's product slugs."""

    def __init__(self, bases: list[str], seed: int, products: int) -> None:
        self.bases, self.seed, self.products = bases, seed, products
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.samples: list[tuple[str, str, str]] = []  # (what, waiting statement, holder)
        self.ticks = 0
        self.page_slugs: list[str] = []
        self.visits: Counter[int] = Counter()  # per user, across warm-up and measured run

    async def call(self, http: httpx.AsyncClient, name: str, query: str,
                   variables: dict[str, Any], token: str | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        start = time.perf_counter()
        try:
            response = await http.post("/graphql", headers=headers,
                                       json={"query": query, "variables": variables})
        except httpx.HTTPError as exc:  # e.g. no answer within the client's 60 s
            self.timings[name].append((time.perf_counter() - start) * 1000)
            self.errors[name] += 1
            print(f"  {name} error: {exc!r}", flush=True)
            return {}
        self.timings[name].append((time.perf_counter() - start) * 1000)
        body: dict[str, Any] = response.json() if response.status_code == 200 else {}
        data = body.get("data") or {}
        payload = next(iter(data.values()), None) if data else None
        if (response.status_code != 200 or body.get("errors") or not data
                or (isinstance(payload, dict) and payload.get("userErrors"))):
            self.errors[name] += 1
            if self.errors[name] <= 2:
                print(f"  {name} error: {response.status_code} {str(body)[:300]}", flush=True)
        return data

    async def register(self, http: httpx.AsyncClient, n: int) -> str:
        data = await self.call(http, "register", REGISTER, {"input": {
            "email": f"buyer{n}-{self.seed}@bench.invalid", "password": "a-good-password",
            "name": f"Buyer {n}"}}, None)
        return str(data["register"]["token"])

    async def user(self, n: int, token: str, until: float) -> None:
        rnd = random.Random(self.seed * 1000 + n + 100_000 * self.visits[n])
        base = self.bases[n % len(self.bases)]
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while time.monotonic() < until:
                self.visits[n] += 1
                await self.call(http, "catalogue page", PAGE, {}, token)
                for _ in range(rnd.randint(1, 3)):
                    slug = (rnd.choice(self.page_slugs) if rnd.random() < 0.7
                            else f"bench-product-{rnd.randint(1, self.products)}")
                    data = await self.call(http, "product detail", DETAIL, {"slug": slug},
                                           token)
                    variants = [v for v in ((data.get("product") or {}).get("variants") or [])
                                if v["quantityAvailable"] > 0]
                    if variants:
                        await self.call(http, "cartAddLine", ADD,
                                        {"v": rnd.choice(variants)["id"]}, token)
                if rnd.random() < 0.5:
                    data = await self.call(http, "checkoutStart", START, {}, token)
                    session = ((data.get("checkoutStart") or {}).get("checkout") or {}).get("id")
                    if session:
                        await self.call(http, "checkoutUpdate", ADDRESS, {"id": session}, token)
                        await self.call(http, "checkoutComplete", COMPLETE,
                                        {"id": session, "key": f"u{n}-v{self.visits[n]}"}, token)

    async def sample(self, db_url: str, until: float) -> None:
        engine = create_async_engine(db_url, isolation_level="AUTOCOMMIT", pool_size=1)
        database = make_url(db_url).database
        try:
            async with engine.connect() as conn:
                while time.monotonic() < until:
                    self.ticks += 1
                    for row in await conn.execute(text(WAITS), {"db": database}):
                        if row.holder_state:  # blocked: on which statement, by whom
                            self.samples.append(("waiting for a lock", _short(row.query),
                                                 f"{row.holder_state}: "
                                                 f"{_short(row.holder_query)}"))
                        elif row.state == "active":
                            self.samples.append((f"active ({row.wait_event_type or 'CPU'})",
                                                 "", ""))
                        else:  # idle in transaction: waiting for the app
                            self.samples.append((str(row.state), "", ""))
                    await asyncio.sleep(0.05)
        finally:
            await engine.dispose()


def _short(sql: str) -> str:
    return " ".join(sql.split())[:50]


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(users: Users, seconds: float) -> str:
    lines = ["| operation | count | per s | p50 ms | p95 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|---|"]
    for name in OPERATIONS:
        values = users.timings.get(name, [])
        lines.append(f"| {name} | {len(values)} | {len(values) / seconds:.1f} | "
                     f"{percentile(values, 50):.0f} | {percentile(values, 95):.0f} | "
                     f"{percentile(values, 99):.0f} | {users.errors[name]} |")
    complete = percentile(users.timings.get("checkoutComplete", []), 99)
    add = percentile(users.timings.get("cartAddLine", []), 99)
    ratio = complete / add if add else float("nan")
    lines += ["", f"checkoutComplete p99 / cartAddLine p99 = {ratio:.2f} (goal <= {GOAL:g}: "
                  f"{'met' if ratio <= GOAL else 'NOT met'})"]
    if users.samples:
        ticks = max(users.ticks, 1)
        lines += ["", f"bench database backends per pg_stat_activity sample (mean of {ticks}):"]
        lines += [f"  {count / ticks:6.2f}  {what}" for what, count in
                  Counter(what for what, _, _ in users.samples).most_common()]
        waits = [(query, holder) for what, query, holder in users.samples if query]
        for title, keys in (("lock waits by waiting statement", [q for q, _ in waits]),
                              ("lock waits by holder (its state: last statement)",
                               [h for _, h in waits])):
            lines += ["", f"{title} (share of lock-wait samples):"]
            lines += [f"  {100 * count / len(waits):5.1f}%  {key}" for key, count in
                      Counter(keys).most_common(6)]
    return "\n".join(lines)


def phase_report(path: Path) -> str:
    """checkoutComplete's phases in the servers, warm-up included (bench/phase_server.py)."""
    merged: dict[str, list[float]] = defaultdict(list)
    for line in path.read_text().splitlines():
        name, milliseconds = json.loads(line)
        merged[name].append(milliseconds)
    lines = ["| checkoutComplete phase (in the servers) | count | p50 ms | p99 ms | mean ms |",
             "|---|---|---|---|---|"]
    for name in ("place order txn", "provider call", "outcome txn", "read order",
                 "whole use case"):
        values = merged.get(name, [])
        mean = statistics.fmean(values) if values else float("nan")
        lines.append(f"| {name} | {len(values)} | {percentile(values, 50):.0f} | "
                     f"{percentile(values, 99):.0f} | {mean:.0f} |")
    return "\n".join(lines)


async def run(args: argparse.Namespace, db_url: str, bases: list[str]) -> Users:
    users = Users(bases, args.seed, args.products)
    async with httpx.AsyncClient(base_url=bases[0], timeout=60) as http:
        slugs = (await users.call(http, "page", PAGE_SLUGS, {}, None))["products"]["edges"]
        users.page_slugs = [edge["node"]["slug"] for edge in slugs]
        tokens = [await users.register(http, n) for n in range(args.users)]
    warm = time.monotonic() + args.warmup
    await asyncio.gather(*(users.user(n, tokens[n], warm) for n in range(args.users)))
    users.timings.clear()
    users.errors.clear()
    until = time.monotonic() + args.duration
    tasks = [users.user(n, tokens[n], until) for n in range(args.users)]
    if args.sample:
        tasks.append(users.sample(db_url, until))
    await asyncio.gather(*tasks)
    return users


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--sample", action="store_true",
                        help="sample pg_stat_activity wait events during the run")
    parser.add_argument("--phases", action="store_true",
                        help="time checkoutComplete's phases (bench/phase_server.py)")
    parser.add_argument("--database-url", default=DEFAULT_PG,
                        help="PostgreSQL database of the bench (dropped and recreated)")
    args = parser.parse_args()
    db_url = make_url(args.database_url).set(drivername="postgresql+asyncpg"
                                             ).render_as_string(hide_password=False)
    print(f"loading {args.products} products ...", flush=True)
    asyncio.run(prepare(db_url, args.products))
    shared = {"JWT_SECRET": secrets.token_urlsafe(48), "RATE_LIMIT_PER_MINUTE": "0"}
    phases = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    entry = None
    if args.phases:
        shared["BENCH_PHASES_FILE"] = str(phases)
        entry = [sys.executable, "-m", "bench.phase_server"]
    servers = [our_server(f"server{i}", db_url, shared, entry) for i in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        print(f"{args.users} users on 2 server processes, {args.warmup:g} s warm-up, "
              f"{args.duration:g} s measured ...", flush=True)
        users = asyncio.run(run(args, db_url, [s.base for s in servers]))
    finally:
        for server in servers:
            server.stop()
    print("\n" + report(users, args.duration))
    if args.phases:
        print("\n" + phase_report(phases))
    phases.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
