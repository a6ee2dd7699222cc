"""/readyz tells whether a write can begin now, and names the check that failed (docs/rules.md,
"Database faults and provider outages"). Read-only and recovery: tests/api/test_db_faults.py."""
from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.support.faults import WriteLock


async def readiness(gql: Any) -> tuple[int, dict[str, Any]]:
    answer = await gql.http.get("/readyz")
    return answer.status_code, answer.json()


async def test_ready_when_a_write_can_begin(faulty: Any) -> None:
    gql, _ = faulty
    assert await readiness(gql) == (200, {"ready": True, "checks": {"database_write": "ok"}})


async def test_not_ready_while_another_client_holds_the_write_lock(
        faulty: Any, migrated: str) -> None:
    if make_url(migrated).get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock (a table lock stops only "
                    "writes to that table)")
    gql, _ = faulty
    async with WriteLock(migrated):
        started = time.monotonic()
        assert await readiness(gql) == (
            503, {"ready": False, "checks": {"database_write": "locked"}})
        assert time.monotonic() - started < 2.0  # the probe's own short bound
    assert (await readiness(gql))[0] == 200


async def test_not_ready_while_the_pool_is_exhausted(faulty: Any) -> None:
    gql, runtime = faulty
    db = runtime.db
    held = [await db.write_engine.connect() for _ in range(db.pool_capacity)]
    try:
        assert await readiness(gql) == (
            503, {"ready": False, "checks": {"database_write": "pool_exhausted"}})
    finally:
        for conn in held:
            await conn.close()
    assert (await readiness(gql))[0] == 200
