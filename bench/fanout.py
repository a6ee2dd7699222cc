"""Subscription fan-out: N graphql-transport-ws subscribers all watch ONE order
(orderUpdates(orderId): 80% its buyer, 15% its seller, 5% an admin) on a real uvicorn server
(SQLite, one process); a seller mutation (shipmentProcess) changes the order and every
subscriber's delivery delay is measured from the mutation's start. Prints p50/p99 of the
delays and the server's memory per subscription (RSS delta / N). The clients run in other
processes (multiprocessing; bench/ws_client.py, a lean asyncio subscriber that stamps each
delivery when its bytes reach the process) so the client is not the bottleneck. With two or
more CPUs the server is pinned to the first and the clients to the others (see CPUS).

    .venv/bin/python bench/fanout.py --subscribers 10,100,1000,5000 [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from adapters.security.passwords import Argon2PasswordHasher  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.client import GraphQLClient  # noqa: E402
from tests.support.database import reset_schema, test_database_url  # noqa: E402
from tests.support.factories import make_account  # noqa: E402
from tests.support.fulfilment import paid_order, process_shipment  # noqa: E402
from tests.support.server import start_server  # noqa: E402

CLIENT_PROCESSES = 4
OPEN_AT_ONCE = 5  # per client process: a subscribe storm would exhaust the read pool
WATCH = """subscription($id: ID!) { orderUpdates(orderId: $id) { type status at
  order { number status } shipment { status } } }"""


# On a machine with two or more CPUs the server runs on the first and the client processes on
# the others: on a shared CPU every delivery woke a client that preempted the server in the
# middle of its writes, so the bench measured the scheduler's choice, not the server.
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
SERVER_CPUS = set(CPUS[:1]) if len(CPUS) > 1 else set()
CLIENT_CPUS = set(CPUS[1:]) if len(CPUS) > 1 else set()


def _pin(cpus: set[int], pid: int = 0) -> None:
    if cpus:
        os.sched_setaffinity(pid, cpus)


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (uvicorn may fork)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


async def _client(ws_url: str, jobs: list[tuple[str, str]], ready: Any, go: Any,
                  results: Any) -> None:
    """One client process: its sockets (bench/ws_client.py), opened OPEN_AT_ONCE at a time;
    reports when all are subscribed, then each socket's arrival time of the event."""
    from urllib.parse import urlsplit

    from bench.ws_client import Subscriber

    url = urlsplit(ws_url)
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def open_one(token: str, order_id: str) -> Subscriber:
        async with gate:
            _transport, subscriber = await loop.create_connection(
                lambda: Subscriber(url.netloc, url.path, {"Authorization": f"Bearer {token}"},
                                   {"query": WATCH, "variables": {"id": order_id}}),
                url.hostname, url.port)
            await asyncio.wait_for(subscriber.opened, 120)
            return subscriber

    subscribers = await asyncio.gather(*(open_one(t, o) for t, o in jobs))
    ready.put(len(subscribers))

    async def arrival(subscriber: Subscriber) -> float | None:
        try:
            return await asyncio.wait_for(asyncio.shield(subscriber.done), 60)
        except asyncio.TimeoutError:
            return None

    arrivals = await asyncio.gather(*(arrival(s) for s in subscribers))
    results.put(arrivals)
    await asyncio.to_thread(go.wait)  # keep sockets open until the server's RSS is read
    for subscriber in subscribers:
        subscriber.close()


def client_process(ws_url: str, jobs: list[tuple[str, str]], ready: Any, go: Any,
                   results: Any) -> None:
    _pin(CLIENT_CPUS)
    asyncio.run(_client(ws_url, jobs, ready, go, results))


async def prepare(url: str, rounds: int) -> tuple[list[tuple[dict[str, Any], str]], Any, Any]:
    """One paid order per round (its seller processes it during the round)."""
    await reset_schema(url)
    app = create_app(replace(Settings(), database_url=url, sweeper_enabled=False,
                             mutation_rate_limit_per_minute=10**9),
                     password_hasher=Argon2PasswordHasher(fast=True))
    runtime = app.state.runtime
    seller = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    orders = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bench") as http:
        gql = GraphQLClient(http)
        for _ in range(rounds):
            order, ship_of, _made, buyer = await paid_order(gql, runtime, [seller])
            orders.append(({"order": order["id"], "buyer": buyer.token},
                           ship_of[seller.seller_id]))
    await runtime.db.dispose()
    return orders, seller, admin


def tokens_for(n: int, buyer: str, seller: str, admin: str) -> list[str]:
    mix = []
    for i in range(n):
        slot = i % 20
        mix.append(admin if slot == 19 else seller if slot >= 16 else buyer)
    return mix


def run_round(base_url: str, server_pid: int, n: int, order_id: str, shipment_id: str,
              buyer: str, seller: Any, admin: Any, profile: str | None = None,
              clients: int = CLIENT_PROCESSES) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    jobs = [(t, order_id) for t in tokens_for(n, buyer, seller.token, admin.token)]
    parts = [jobs[i::clients] for i in range(clients)]
    parts = [p for p in parts if p]
    before = rss_kb(server_pid)
    procs = [ctx.Process(target=client_process, args=(base_url.replace("http", "ws") + "/graphql",
                                                      part, ready, go, results))
             for part in parts]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=600)
    time.sleep(2.0 + n / 500)  # the server finishes registering the subscriptions
    after = rss_kb(server_pid)

    async def mutate() -> float:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            start = time.time()
            done = await process_shipment(GraphQLClient(http), seller, shipment_id)
            assert done["userErrors"] == [], done
            return start

    spy = None
    if profile:  # py-spy samples the server while the event fans out (collapsed stacks)
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(server_pid), "--format", "raw",
                                "--rate", "250", "--output", f"{profile}-{n}.txt"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
    start = asyncio.run(mutate())
    arrivals: list[float | None] = []
    for _ in procs:
        arrivals += results.get(timeout=600)
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    go.set()
    for p in procs:
        p.join(timeout=60)
    delays = sorted((a - start) * 1000 for a in arrivals if a is not None)
    missing = len(arrivals) - len(delays)
    p99 = statistics.quantiles(delays, n=100)[98] if len(delays) > 1 else delays[0]
    return {"subscribers": n, "p50_ms": round(statistics.median(delays), 1),
            "p99_ms": round(p99, 1), "rss_per_subscription_kb": round((after - before) / n, 1),
            "missing": missing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", default="10,100,1000,5000")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--clients", type=int, default=CLIENT_PROCESSES,
                        help="client processes the subscribers are spread over")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="record the server with py-spy during each fan-out into "
                             "PREFIX-<subscribers>.txt (collapsed stacks; needs py-spy)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.subscribers.split(",")]
    work = Path(tempfile.mkdtemp())
    url = test_database_url(work)
    orders, seller, admin = asyncio.run(prepare(url, len(sizes)))
    cap = str(max(sizes) + 100)
    server = start_server(url, work, env={
        "WS_MAX_CONNECTIONS_PER_USER": cap, "WS_MAX_CONNECTIONS_PER_IP": cap,
        "MUTATION_RATE_LIMIT_PER_MINUTE": "100000", "SWEEPER_ENABLED": "false"})
    _pin(SERVER_CPUS, server.process.pid)
    try:
        if not args.json:
            print(f"{'subscribers':>11} {'p50 ms':>8} {'p99 ms':>8} {'KB/sub':>8} {'missing':>8}")
        for n, (ids, shipment_id) in zip(sizes, orders, strict=True):
            row = run_round(server.base_url, server.process.pid, n, ids["order"], shipment_id,
                            ids["buyer"], seller, admin, args.profile, args.clients)
            if args.json:
                print(json.dumps({k: row[k] for k in ("subscribers", "p50_ms", "p99_ms",
                                                      "rss_per_subscription_kb")}), flush=True)
            else:
                print(f"{n:>11} {row['p50_ms']:>8} {row['p99_ms']:>8} "
                      f"{row['rss_per_subscription_kb']:>8} {row['missing']:>8}", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
