"""Database faults through the API (docs/rules.md, "Database faults and provider outages"):
a lock held past the lock timeout answers SERVICE_UNAVAILABLE with retryAfterSeconds within
about that timeout, commits nothing and leaks no pooled connection, and writes work again at
once when the lock is gone."""
from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import users
from tests.support.client import GraphQLClient, unique_email
from tests.support.faults import LOCK_TIMEOUT, WriteLock, read_only_database

PASSWORD = "correct horse battery"
AUTH = "token userErrors { code field message }"
REGISTER = f"""mutation($input: RegisterInput!) {{ register(input: $input) {{ {AUTH} }} }}"""
ME = "{ products(first: 1) { edges { node { id seller { id } } } } }"
LOGIN = f"""mutation($email: String!, $password: String!) {{
  login(email: $email, password: $password) {{ {AUTH} }} }}"""


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


async def test_writes_fail_typed_while_read_only_and_work_again_in_the_same_process(
        faulty: Any, migrated: str) -> None:
    gql, runtime = faulty
    async with read_only_database(migrated):
        # Concurrent writes: the pool opens several connections, all of them read-only.
        refused = await asyncio.gather(*(register(gql, unique_email("ro")) for _ in range(6)))
        for answer in refused:
            [error] = answer["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", error
        ready = await gql.http.get("/readyz")
        assert (ready.status_code, ready.json()) == (
            503, {"ready": False, "checks": {"database_write": "read_only"}})
    # Writable again: the same process writes, without a restart (every connection that
    # opened read-only is replaced), and is ready.
    accepted = await asyncio.gather(*(register(gql, unique_email("rw")) for _ in range(6)))
    assert [bool(a["data"]["register"]["token"]) for a in accepted] == [True] * 6, accepted
    ready = await gql.http.get("/readyz")
    assert (ready.status_code, ready.json()["checks"]) == (200, {"database_write": "ok"})
    assert checked_out(runtime) == 0


async def test_postgres_backends_terminated_under_the_pool_are_replaced(
        faulty: Any, migrated: str) -> None:
    if make_url(migrated).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL: server backends terminated under a warm pool")
    gql, runtime = faulty
    known = unique_email("known")
    assert (await register(gql, known))["data"]["register"]["token"]
    login = {"email": known, "password": PASSWORD}

    async def warm_then_terminate() -> None:
        # Several pooled connections, then the server ends every backend of the database.
        await asyncio.gather(*(gql(LOGIN, login) for _ in range(6)))
        admin = create_async_engine(make_url(migrated), isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            ended = (await conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))).scalar()
        await admin.dispose()
        assert ended >= 1

    await warm_then_terminate()
    # A mutation right after: its dead connection is replaced and the use case run again.
    first = await gql(LOGIN, login)
    assert first["data"]["login"]["token"], first
    await warm_then_terminate()
    answers = [await gql(LOGIN, login), await gql("{ products(first: 3) { totalCount } }"),
               await register(gql, unique_email("after")), await gql(ME, token=None)]
    failed = [a for a in answers if a.get("errors")]
    assert failed == []
    assert checked_out(runtime) == 0
