"""Database faults through the API (docs/rules.md, "Database faults and provider outages"):
a lock held past the lock timeout answers SERVICE_UNAVAILABLE with retryAfterSeconds within
about that timeout, commits nothing and leaks no pooled connection, and writes work again at
once when the lock is gone."""
from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import replace
from typing import Any, AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app import create_app
from persistence.tables import users
from tests.support import GraphQLClient, unique_email

LOCK_TIMEOUT = 0.5
PASSWORD = "correct horse battery"
AUTH = "token userErrors { code field message }"
REGISTER = f"""mutation($input: RegisterInput!) {{ register(input: $input) {{ {AUTH} }} }}"""
LOGIN = f"""mutation($email: String!, $password: String!) {{
  login(email: $email, password: $password) {{ {AUTH} }} }}"""


@pytest.fixture
async def faulty(settings: Any, clock: Any, fast_hasher: Any) -> AsyncIterator[Any]:
    """An app whose writes wait LOCK_TIMEOUT for a lock (and for a pooled connection)."""
    app = create_app(replace(settings, db_lock_timeout_seconds=LOCK_TIMEOUT), clock=clock,
                     password_hasher=fast_hasher)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http), app.state.runtime
    await app.state.runtime.db.dispose()


class WriteLock:
    """Another client holding the database's write lock: SQLite `BEGIN EXCLUSIVE` on its own
    sqlite3 connection, PostgreSQL `LOCK TABLE users IN ACCESS EXCLUSIVE MODE`."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        self._engine: Any = None

    async def __aenter__(self) -> "WriteLock":
        if self.url.get_backend_name() == "sqlite":
            self._sqlite = sqlite3.connect(str(self.url.database), isolation_level=None)
            self._sqlite.execute("BEGIN EXCLUSIVE")
        else:
            self._engine = create_async_engine(self.url)
            self._pg = await self._engine.connect()
            await self._pg.begin()
            await self._pg.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._sqlite is not None:
            self._sqlite.execute("ROLLBACK")
            self._sqlite.close()
        else:
            await self._pg.rollback()
            await self._pg.close()
            await self._engine.dispose()


def checked_out(runtime: Any) -> int:
    db = runtime.db
    engines = {id(db.write_engine): db.write_engine, id(db.read_engine): db.read_engine}
    return sum(engine.pool.checkedout() for engine in engines.values())


async def user_count(runtime: Any) -> int:
    async with runtime.db.read_engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(users))).scalar_one())


async def register(gql: GraphQLClient, email: str) -> dict[str, Any]:
    return await gql(REGISTER, {"input": {"email": email, "password": PASSWORD,
                                          "name": "Ann Lee"}})


async def test_a_lock_past_the_timeout_answers_service_unavailable_and_leaks_nothing(
        faulty: Any, migrated: str) -> None:
    gql, runtime = faulty
    known = unique_email("known")
    assert (await register(gql, known))["data"]["register"]["token"]
    before = await user_count(runtime)
    async with WriteLock(migrated):
        started = time.monotonic()
        answers = await asyncio.gather(*(
            [register(gql, unique_email("locked")) for _ in range(10)]
            + [gql(LOGIN, {"email": known, "password": PASSWORD}) for _ in range(10)]))
        waited = time.monotonic() - started
        for answer in answers:
            assert answer["data"] is None or all(v is None for v in answer["data"].values())
            [error] = answer["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", error
            assert error["extensions"]["retryAfterSeconds"] == 1
            assert error["message"] != "Unexpected error."
        # Bounded by the lock timeout (a queue for connections included), not 30-60 s.
        assert waited < 8 * LOCK_TIMEOUT + 4, waited
    # The lock is gone: the next writes, login included, succeed within a second, and every
    # pooled connection went back.
    started = time.monotonic()
    login = await gql(LOGIN, {"email": known, "password": PASSWORD})
    fresh = await register(gql, unique_email("after"))
    assert time.monotonic() - started < 1.0
    assert login["data"]["login"]["token"] and fresh["data"]["register"]["token"]
    assert await user_count(runtime) == before + 1  # nothing of the 10 locked registrations
    assert checked_out(runtime) == 0
