"""Test helpers: the database under test, the in-process HTTP client, GraphQL calls, and a
real uvicorn server in a subprocess for concurrency and WebSocket tests."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import metadata

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def test_database_url(tmp_dir: Path) -> str:
    """SQLite file in a temp dir by default; with DATABASE_URL set to PostgreSQL, a private
    database `<name>_t<pid>` on that server (created here, dropped by `drop_database`), so
    test runs in parallel never share tables."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}"
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.set(database=f"{parsed.database}_t{os.getpid()}").render_as_string(
        hide_password=False)


async def _on_server(url: str, *statements: str) -> None:
    """Run statements on the PostgreSQL server of `url` (connected to its `postgres` db)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        for statement in statements:
            await conn.execute(text(statement.format(db=parsed.database)))
    await admin.dispose()


async def create_database(url: str) -> None:
    await _on_server(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', 'CREATE DATABASE "{db}"')


async def drop_database(url: str) -> None:
    await _on_server(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


async def reset_schema(url: str) -> None:
    """Start from an empty database, then migrate to head (migrations are the only source)."""
    await create_database(url)
    from migrations import upgrade_head

    await asyncio.to_thread(upgrade_head, url)


async def truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    names = [t.name for t in reversed(metadata.sorted_tables)]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            await conn.execute(text("PRAGMA foreign_keys=OFF"))
            for name in names:
                await conn.execute(text(f"DELETE FROM {name}"))
            if await _has_seq(conn):
                await conn.execute(text("DELETE FROM sqlite_sequence"))
            await conn.execute(text("INSERT INTO products_fts(products_fts) VALUES ('rebuild')"))
    await engine.dispose()


async def _has_seq(conn: Any) -> bool:
    result = await conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"))
    return result.first() is not None


class GraphQLClient:
    """Sends GraphQL documents over HTTP (in-process ASGI transport or a real server)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(self, query: str, variables: dict[str, Any] | None = None,
                  token: str | None = None, **extra: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        body.update(extra)
        return await self.http.post("/graphql", json=body, headers=headers)

    async def __call__(self, query: str, variables: dict[str, Any] | None = None,
                       token: str | None = None) -> dict[str, Any]:
        response = await self.raw(query, variables, token)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def data(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None) -> dict[str, Any]:
        """The `data` of a response that must have no top-level errors."""
        body = await self(query, variables, token)
        assert not body.get("errors"), body["errors"]
        return body["data"]  # type: ignore[no-any-return]


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningServer:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(database_url: str, log_dir: Path, *, workers: int = 1,
                 env: dict[str, str] | None = None, port: int | None = None) -> RunningServer:
    """A real uvicorn server (own process, own event loop) on a loopback port."""
    port = port or free_port()
    full_env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "warning",
                "RATE_LIMIT_PER_MINUTE": "100000", "LOGIN_RATE_LIMIT_PER_MINUTE": "100000",
                **(env or {})}
    log_path = log_dir / f"server-{port}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--no-migrate", "--log-level", "warning"],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return RunningServer(base_url, process, log_path)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log_path.read_text()}")
