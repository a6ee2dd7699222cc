"""Engines for the embedded SQLite default and for PostgreSQL.

SQLite: WAL, a busy timeout, foreign keys on, and transactions begun by us: the write engine
says `BEGIN IMMEDIATE` (takes the write lock up front, so a transaction that reads then writes
waits its turn instead of failing with `database is locked`), the read engine a plain `BEGIN`.
PostgreSQL: one pooled engine serves both.

Faults (docs/rules.md, "Database faults and provider outages"): a lock is waited for at most
`lock_timeout_seconds` (SQLite's busy timeout; PostgreSQL's `lock_timeout`, set per connection),
and so is a pooled connection (`pool_timeout`). No ping per checkout: a connection found dead is
invalidated when it fails, with the pool's older connections (SQLAlchemy's disconnect
handling), and a refused write on a read-only database counts as a disconnect too
(`_on_error`: a SQLite connection that opened the file read-only, or a PostgreSQL session
started read-only, stays so), so the process recovers by itself once the database is back.

Every statement sent is counted (`Database.statements`), so tests can assert how many
statements an operation costs, the way Saleor's benchmarks do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from persistence.faults import is_read_only

_NOT_COUNTED = ("PRAGMA",)
DEFAULT_LOCK_TIMEOUT_SECONDS = 5.0


@dataclass
class StatementCounter:
    count: int = 0
    log: list[str] = field(default_factory=list)
    keep_log: bool = False

    def reset(self) -> None:
        self.count = 0
        self.log.clear()

    def record(self, statement: str) -> None:
        if statement.lstrip().upper().startswith(_NOT_COUNTED):
            return
        self.count += 1
        if self.keep_log:
            self.log.append(statement)


@dataclass
class Database:
    url: str
    write_engine: AsyncEngine
    read_engine: AsyncEngine
    statements: StatementCounter

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
    pool_capacity: int = 15  # pool_size + max_overflow of the write engine

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def create_database(url: str, *, echo: bool = False,
                    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS) -> Database:
    counter = StatementCounter()
    timeout = lock_timeout_seconds
    if make_url(url).get_backend_name() == "sqlite":
        write = _sqlite_engine(url, "BEGIN IMMEDIATE", echo, timeout)
        read = _sqlite_engine(url, "BEGIN", echo, timeout)
        engines = [write, read]
        capacity = 5 + 10  # the write engine's pool_size + max_overflow
    else:
        write = read = create_async_engine(
            url, echo=echo, pool_size=10, max_overflow=20, pool_timeout=timeout,
            connect_args={"timeout": max(timeout, 1.0), "server_settings": {
                "lock_timeout": str(max(1, int(timeout * 1000)))}},
        )
        engines = [write]
        capacity = 10 + 20
    for engine in engines:
        _count_statements(engine, counter)
        _discard_read_only_connections(engine)
    return Database(url=url, write_engine=write, read_engine=read, statements=counter,
                    lock_timeout_seconds=timeout, pool_capacity=capacity)


def _sqlite_engine(url: str, begin: str, echo: bool, timeout: float) -> AsyncEngine:
    busy_ms = max(1, int(timeout * 1000))
    engine = create_async_engine(
        url, echo=echo, pool_size=5, max_overflow=10, pool_timeout=timeout,
        connect_args={"timeout": timeout})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def _discard_read_only_connections(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if is_read_only(context.original_exception):
            # Treated as a disconnect: the pool drops this connection and those opened with it
            # (SQLite: connections opened while the file was read-only stay read-only).
            context.is_disconnect = True


def _count_statements(engine: AsyncEngine, counter: StatementCounter) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counter.record(statement)

    # Transaction control that does not pass through a cursor: COMMIT and ROLLBACK always, and
    # BEGIN on PostgreSQL (asyncpg starts it itself; SQLite's BEGIN is sent by `_on_begin`).
    @event.listens_for(engine.sync_engine, "commit")
    def _commit(_conn: Any) -> None:
        counter.record("COMMIT")

    @event.listens_for(engine.sync_engine, "rollback")
    def _rollback(_conn: Any) -> None:
        counter.record("ROLLBACK")

    if engine.dialect.name != "sqlite":
        @event.listens_for(engine.sync_engine, "begin")
        def _begin(_conn: Any) -> None:
            counter.record("BEGIN")
