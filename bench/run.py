"""One bench command (issue 10, item 6; README "Benchmarks"):

    .venv/bin/python -m bench.run [--duration 10] [--connections 16] [--rounds 3]
                                  [--skip-fanout] [--write-results]

Loads the deterministic catalogue (bench/catalogue.py) into a PostgreSQL database of its own,
starts our server as production would (APP_ENV=production, generated secrets, one uvicorn
process, DB_POOL_SIZE=16, access log off) uncached and cached, and the plain ASGI + asyncpg app
(bench/plain_app.py); checks that the plain page equals our server's; then alternates wrk
against the five targets round after round and prints requests/s, p50, p99, the ratios, the
statements per operation (bench/statements.py) and the fan-out figures (bench/fanout.py).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench import load
from bench.catalogue import generate
from bench.catalogue import load as load_catalogue
from bench.statements import PAGE, counts_control, measure
from settings import Settings
from tests.support.database import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench"
TARGETS = ("uncached", "cached", "plain", "typename", "raw")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def has_response_cache() -> bool:
    return any(f.name == "response_cache_ttl_seconds" for f in fields(Settings))


def _post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(url, data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()  # type: ignore[no-any-return]


class Server:
    """One server process on a free port, stopped by its own pid."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], probe: str) -> None:
        self.name, self.port = name, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        command = [c.replace("{port}", str(self.port)) for c in command]
        # stderr into a file, not a pipe nobody reads while the server runs: a server logging
        # more than a pipe holds (64 KB of warnings under load) would block on its next write
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, env=full_env, cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        self.probe = probe

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                err = self.log.read().decode(errors="replace")
                raise SystemExit(f"{self.name} server exited: {err[-2000:]}")
            try:
                urllib.request.urlopen(self.base + self.probe, timeout=1).read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} server did not answer {self.probe} in {timeout:.0f}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def our_server(name: str, database_url: str, extra: dict[str, str],
               entry: list[str] | None = None) -> Server:
    """`marketplace serve` as production runs it; `entry` replaces the `marketplace` command
    (bench/mixed_load.py --phases: [python, -m, bench.phase_server])."""
    env = {"APP_ENV": "production", "DATABASE_URL": database_url, "DB_POOL_SIZE": "16",
           "JWT_SECRET": secrets.token_urlsafe(48),
           "CARRIER_WEBHOOK_SECRET": secrets.token_urlsafe(48),
           "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(48),
           "GRAPHIQL": "false", **extra}
    return Server(name, [*(entry or [str(VENV / "marketplace")]), "serve", "--host", "127.0.0.1",
                         "--port", "{port}", "--workers", "1", "--log-level", "warning",
                         "--no-migrate"], env, "/healthz")


def plain_server(dsn: str, extensions: Any = None) -> Server:
    env = {"BENCH_PG_DSN": dsn}
    if extensions:
        env["BENCH_EXTENSIONS"] = json.dumps(extensions)
    return Server("plain", [str(VENV / "python"), "-m", "uvicorn", "bench.plain_app:app",
                            "--host", "127.0.0.1", "--port", "{port}", "--no-access-log",
                            "--log-level", "warning"], env, "/raw")


async def prepare(url: str, products: int) -> float:
    """Recreate the database, migrate it with `marketplace migrate`, load the catalogue."""
    await create_database(url)
    subprocess.run([str(VENV / "marketplace"), "migrate"], check=True, cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    await load_catalogue(url, generate(products))
    return time.perf_counter() - start


def same_sql(logs: dict[str, list[str]]) -> str:
    """Whether bench/plain_app.py sends the statements our server sent for the page."""
    from bench.plain_app import STATEMENTS

    def norm(statements: Any) -> list[str]:
        return [" ".join(s.split()) for s in statements]

    ours = norm(logs.get("catalogue page", []))
    if ours == norm(STATEMENTS):
        return f"same SQL: the plain route sends our server's {len(ours)} page statements"
    return ("same SQL: NO, our server now sends other statements for the page; update "
            "bench/plain_app.py to:\n  " + "\n  ".join(ours))


async def statement_counts(url: str, logs: dict[str, list[str]]
                           ) -> dict[str, tuple[int, int | None]]:
    await create_database(url)
    subprocess.run([str(VENV / "marketplace"), "migrate"], check=True, cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL)
    try:
        return await measure(url, logs)
    finally:
        await drop_database(url)


def fanout(skip: bool) -> tuple[list[dict[str, Any]], str]:
    script = ROOT / "bench" / "fanout.py"
    if skip:
        return [], "fan-out: skipped (--skip-fanout)"
    if not script.exists():
        return [], "fan-out: bench/fanout.py is missing (not measured)"
    done = subprocess.run([str(VENV / "python"), str(script), "--subscribers",
                           "10,100,1000,5000", "--json"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        return [], f"fan-out: bench/fanout.py failed ({done.stderr.strip()[-300:]})"
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return rows, ""


def report(args: argparse.Namespace, figures: dict[str, list[load.Figures]], notes: list[str],
           counts: dict[str, tuple[int, int | None]], fan: list[dict[str, Any]],
           load_seconds: float) -> str:
    lines = [f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}; machine: "
             f"{os.cpu_count()} cores, {platform.platform()}; PostgreSQL on 127.0.0.1",
             f"catalogue: {args.products} products loaded in {load_seconds:.1f} s; wrk -t1 "
             f"-c{args.connections} -d{args.duration:g}s, {args.rounds} rounds alternating "
             f"{' '.join(t for t in TARGETS if t in figures)}", ""]
    lines += ["| target | requests/s (median; each round) | p50 ms | p99 ms | errors |",
              "|---|---|---|---|---|"]
    median: dict[str, float] = {}
    for target in TARGETS:
        if target not in figures:
            continue
        runs = figures[target]
        median[target] = statistics.median(f.rps for f in runs)
        each = ", ".join(f"{f.rps:.0f}" for f in runs)
        lines.append(f"| {target} | {median[target]:.0f} ({each}) | "
                     f"{statistics.median(f.p50_ms for f in runs):.2f} | "
                     f"{statistics.median(f.p99_ms for f in runs):.2f} | "
                     f"{sum(f.errors for f in runs)} |")
    lines += ["", "| ratio | value | goal |", "|---|---|---|"]
    for a, b, goal in (("uncached", "plain", ">= 50%"), ("cached", "plain", ">= 100%"),
                       ("typename", "raw", ">= 15%")):
        if a in median and b in median:
            lines.append(f"| {a}/{b} | {100 * median[a] / median[b]:.1f}% | {goal} |")
    lines += notes + ["", "| statements per operation | counted (no transaction control) | "
                          "all-in (with transaction control) |", "|---|---|---|"]
    for name, (counted, all_in) in counts.items():
        lines.append(f"| {name} | {counted} | "
                     f"{all_in if all_in is not None else 'n/a (counter leaves it out)'} |")
    if fan:
        lines += ["", "| fan-out subscribers | p50 ms | p99 ms | RSS per subscription KB |",
                  "|---|---|---|---|"]
        lines += [f"| {r['subscribers']} | {r['p50_ms']} | {r['p99_ms']} | "
                  f"{r['rss_per_subscription_kb']} |" for r in fan]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--database-url", default=DEFAULT_PG,
                        help="PostgreSQL database of the bench (dropped and recreated)")
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--write-results", action="store_true",
                        help="rewrite bench/RESULTS.md with this run")
    args = parser.parse_args()
    url = make_url(args.database_url).set(drivername="postgresql+asyncpg")
    db_url = url.render_as_string(hide_password=False)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    load.ensure_wrk()
    print(f"loading {args.products} products into {url.database} ...", flush=True)
    load_seconds = asyncio.run(prepare(db_url, args.products))
    print(f"loaded in {load_seconds:.1f} s; counting statements ...", flush=True)
    logs: dict[str, list[str]] = {}
    counts = asyncio.run(statement_counts(
        url.set(database=f"{url.database}_statements").render_as_string(hide_password=False),
        logs))
    notes = ["", same_sql(logs)]
    print(notes[-1], flush=True)
    if not counts_control():
        notes += ["", "note: this StatementCounter leaves transaction control out (all-in: n/a)"]
    servers: dict[str, Server] = {}
    scripts: list[Path] = []
    if has_response_cache():
        servers["uncached"] = our_server("uncached", db_url,
                                         {"RESPONSE_CACHE_TTL_SECONDS": "0"})
        servers["cached"] = our_server("cached", db_url, {})
    else:
        servers["uncached"] = our_server("uncached", db_url, {})
        notes += ["", "cached: skipped (no RESPONSE_CACHE_TTL_SECONDS setting in this build)"]
    try:
        for server in servers.values():
            server.wait_ready()
        page_body = json.dumps({"query": PAGE}).encode()
        ours = json.loads(_post(servers["uncached"].base + "/graphql", page_body))
        # The plain route answers the same JSON, extensions (the query's cost) included.
        servers["plain"] = plain_server(dsn, ours.get("extensions"))
        servers["plain"].wait_ready()
        plain = json.loads(_post(servers["plain"].base + "/page", page_body))
        same = ours == plain
        parity = (f"parity: the plain route's JSON {'equals' if same else 'DIFFERS FROM'} our "
                  f"server's for the catalogue page ({len(json.dumps(ours))} bytes)")
        print(parity, flush=True)
        notes += ["", parity]
        page = load.lua_post(json.dumps({"query": PAGE}))
        typename = load.lua_post(json.dumps({"query": "{ __typename }"}))
        scripts += [page, typename]
        targets = {"uncached": (servers["uncached"].base + "/graphql", page),
                   "plain": (servers["plain"].base + "/page", None),
                   "typename": (servers["uncached"].base + "/graphql", typename),
                   "raw": (servers["plain"].base + "/raw", None)}
        if "cached" in servers:
            targets["cached"] = (servers["cached"].base + "/graphql", page)
        order = [t for t in TARGETS if t in targets]
        for target in order:  # warm-up: compile, fill pools and caches; not reported
            load.run(targets[target][0], script=targets[target][1], duration=2,
                     connections=args.connections)
        figures: dict[str, list[load.Figures]] = {t: [] for t in order}
        for n in range(args.rounds):
            for target in order:
                f = load.run(targets[target][0], script=targets[target][1],
                             duration=args.duration, connections=args.connections)
                figures[target].append(f)
                print(f"round {n + 1} {target:<9} {f.rps:9.0f} req/s  p50 {f.p50_ms:7.2f} ms"
                      f"  p99 {f.p99_ms:7.2f} ms  errors {f.errors}", flush=True)
    finally:
        for server in servers.values():
            server.stop()
        for script in scripts:
            script.unlink(missing_ok=True)
    fan, fan_note = fanout(args.skip_fanout)
    if fan_note:
        notes += ["", fan_note]
    text = report(args, figures, notes, counts, fan, load_seconds)
    print("\n" + text)
    if args.write_results:
        command = "python -m bench.run " + " ".join(sys.argv[1:])
        (ROOT / "bench" / "RESULTS.md").write_text(
            "# Bench results (issue 10)\n\nOne run of `bench/run`; re-run and rewrite with "
            "`--write-results`.\n\nCommand: `.venv/bin/" + command.strip() + "`\n\n"
            + text + "\n")
        print("wrote bench/RESULTS.md")


if __name__ == "__main__":
    main()
