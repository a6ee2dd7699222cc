"""Engines for the embedded SQLite default and for PostgreSQL.

SQLite: WAL, a busy timeout, foreign keys on, and transactions begun by us: the write engine
says `BEGIN IMMEDIATE` (takes the write lock up front, so a transaction that reads then writes
waits its turn instead of failing with `database is locked`), the read engine a plain `BEGIN`.
PostgreSQL: one pooled engine serves both.

Every statement sent is counted (`Database.statements`), so tests can assert how many
statements an operation costs, the way Saleor's benchmarks do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_NOT_COUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")
SQLITE_BUSY_TIMEOUT_MS = 30_000


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

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def create_database(url: str, *, echo: bool = False) -> Database:
    counter = StatementCounter()
    if make_url(url).get_backend_name() == "sqlite":
        write = _sqlite_engine(url, "BEGIN IMMEDIATE", echo)
        read = _sqlite_engine(url, "BEGIN", echo)
        engines = [write, read]
    else:
        write = read = create_async_engine(
            url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True
        )
        engines = [write]
    for engine in engines:
        _count_statements(engine, counter)
    return Database(url=url, write_engine=write, read_engine=read, statements=counter)


def _sqlite_engine(url: str, begin: str, echo: bool) -> AsyncEngine:
    engine = create_async_engine(
        url, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def _count_statements(engine: AsyncEngine, counter: StatementCounter) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counter.record(statement)
