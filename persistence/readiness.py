"""The readiness probe's database check (docs/rules.md, "Database faults and provider
outages"): can a write transaction begin now? Cheap and bounded by `timeout` seconds.

It takes a connection from the write pool (none free and the pool at capacity:
"pool_exhausted"), begins a write transaction the way a mutation does and rolls it back:
SQLite `BEGIN IMMEDIATE` with the busy timeout lowered to `timeout` ("locked") and a write of
the unchanged `user_version` ("read_only"), PostgreSQL `SHOW transaction_read_only`
("read_only" on a hot standby or a read-only database). Answers "ok" or the fault's name
(persistence/faults.py; "timeout" when the bound passed without a named fault, "error" for
anything unexpected).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.db import Database
from persistence.faults import classify

log = logging.getLogger("marketplace.readiness")


async def database_write(db: Database, timeout: float) -> str:
    pool: Any = db.write_engine.pool  # a QueuePool (persistence/db.py)
    try:
        async with asyncio.timeout(timeout):
            conn = await db.write_engine.connect()
    except Exception as exc:  # noqa: BLE001 - any failure is a named reason
        if isinstance(exc, TimeoutError) and pool.checkedout() >= db.pool_capacity:
            return "pool_exhausted"
        return _reason(exc)
    try:
        if db.is_sqlite:
            short, usual = (max(1, int(t * 1000)) for t in (timeout, db.lock_timeout_seconds))
            result = await conn.run_sync(_sqlite_write, short, usual)
        else:
            async with asyncio.timeout(timeout):
                result = await _postgres_write(conn)
    except Exception as exc:  # noqa: BLE001
        result = _reason(exc)
    try:
        if result == "read_only":  # this connection will not write again: open a new one
            await conn.invalidate()
    finally:
        await conn.close()
    return result


def _sqlite_write(sync_conn: Any, short_ms: int, usual_ms: int) -> str:
    # On the driver's connection: SQLAlchemy would begin (BEGIN IMMEDIATE, usual busy
    # timeout) before any statement of its own.
    cursor = sync_conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={short_ms}")
        try:
            cursor.execute("PRAGMA user_version")
            version = cursor.fetchone()[0]
            cursor.execute("BEGIN IMMEDIATE")  # takes the write lock, or says why not
            try:  # a write of what is there (BEGIN IMMEDIATE succeeds on a read-only file)
                cursor.execute(f"PRAGMA user_version={int(version)}")
            finally:
                cursor.execute("ROLLBACK")
        finally:
            cursor.execute(f"PRAGMA busy_timeout={usual_ms}")
    finally:
        cursor.close()
    return "ok"


async def _postgres_write(conn: AsyncConnection) -> str:
    async with conn.begin():
        read_only = (await conn.execute(text("SHOW transaction_read_only"))).scalar()
    return "read_only" if read_only == "on" else "ok"


def _reason(exc: BaseException) -> str:
    reason = classify(exc) or ("timeout" if isinstance(exc, TimeoutError) else "error")
    log.warning("readiness: database write check failed (%s): %s", reason, exc)
    return reason
