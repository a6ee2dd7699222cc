"""One read connection per HTTP request (docs/architecture.md, "Read connections").

`RequestReads.run(fn)` runs `fn(conn)` on the request's read connection: taken from the read
engine on first use, shared by every loader and read of the request, one statement at a time
(an asyncio.Lock: a DBAPI connection must not run two statements at once), and given back by
`close()` when the response has been sent. A connection found dead is dropped and the read runs
once more on a new one (docs/rules.md, "Database faults and provider outages").

`hold=False` (a WebSocket: its subscriptions live for minutes, and a connection held for each
would drain the pool) takes a short connection per read instead.

`current_reads` is the request's object while it runs, so `Runtime.read` (schema/context.py)
reads through it without every caller passing it along.
"""
from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Awaitable, Callable, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.db import Database

R = TypeVar("R")
current_reads: ContextVar["RequestReads | None"] = ContextVar("current_reads", default=None)


class RequestReads:
    def __init__(self, db: Database, *, hold: bool = True) -> None:
        self.db = db
        self.hold = hold
        self._conn: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    async def run(self, fn: Callable[[AsyncConnection], Awaitable[R]]) -> R:
        if not self.hold:
            return await self._short(fn)
        async with self._lock:
            try:
                return await fn(await self._connection())
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                await self._release()  # the pool has dropped it: once more, on a new one
            return await fn(await self._connection())

    async def close(self) -> None:
        """Give the connection back (at the end of the request; safe to call twice)."""
        async with self._lock:
            await self._release()

    @property
    def holding(self) -> bool:
        return self._conn is not None

    async def _connection(self) -> AsyncConnection:
        if self._conn is None:
            self._conn = await self.db.read_engine.connect()
        return self._conn

    async def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await asyncio.shield(conn.close())

    async def _short(self, fn: Callable[[AsyncConnection], Awaitable[R]]) -> R:
        try:
            async with self.db.read_engine.connect() as conn:
                return await fn(conn)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        async with self.db.read_engine.connect() as conn:
            return await fn(conn)


async def read(db: Database, fn: Callable[[AsyncConnection], Awaitable[R]]) -> R:
    """`fn(conn)` on the running request's read connection, else on a short one: for reads
    made outside the loaders (account state, OIDC subject, offline intents), so a request never
    holds two read connections (with no pool overflow, that could wait on itself)."""
    reads = current_reads.get()
    if reads is None or reads.db is not db:
        reads = RequestReads(db, hold=False)
    return await reads.run(fn)
