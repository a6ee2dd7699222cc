"""Engines for the embedded SQLite default and for PostgreSQL: a write engine and a read engine.

Write engine: transactions begun by us. SQLite says `BEGIN IMMEDIATE` (takes the write lock up
front, so a transaction that reads then writes waits its turn instead of failing with
`database is locked`); PostgreSQL a plain BEGIN.
Read engine (docs/architecture.md, "Read connections"): AUTOCOMMIT, so a read costs its
statement and nothing else (no BEGIN/ROLLBACK); on PostgreSQL its sessions are read-only
(`default_transaction_read_only`); on SQLite (WAL) each statement reads the last committed
state, as PostgreSQL's READ COMMITTED does. An HTTP request reads through one of its
connections (persistence/request_reads.py). Both pools hold `pool_size` connections and no
overflow, so load does not open and close sessions.

Faults (docs/rules.md, "Database faults and provider outages"): a lock is waited for at most
`lock_timeout_seconds` (SQLite's busy timeout; PostgreSQL's `lock_timeout`, set per connection),
and so is a pooled connection (`pool_timeout`). No ping per checkout: a connection found dead is
invalidated when it fails, with the pool's older connections (SQLAlchemy's disconnect
handling), and a refused write on a read-only database counts as a disconnect too
(`_on_error`: a SQLite connection that opened the file read-only, or a PostgreSQL session
started read-only, stays so), so the process recovers by itself once the database is back.

Every statement sent on a pooled connection is counted (`Database.statements`), transaction
control included (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE), so tests can assert how many
statements an operation costs, the way Saleor's benchmarks do. What a new connection sends
once when it opens (SQLite's PRAGMAs) is counted apart, in `connect_statements`, so counts do
not depend on whether the pool was warm; PostgreSQL settings go in the startup packet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from persistence.faults import is_read_only

_RECORDERS: "WeakKeyDictionary[Engine, Callable[[str], None]]" = WeakKeyDictionary()
ALONE = "marketplace_alone"  # execution option of `execute_alone`'s connections
DEFAULT_LOCK_TIMEOUT_SECONDS = 5.0
DEFAULT_POOL_SIZE = 16
_SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA busy_timeout={busy_ms}",
                   "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL")


@dataclass
class StatementCounter:
    count: int = 0
    log: list[str] = field(default_factory=list)
    keep_log: bool = False
    connect_statements: int = 0  # sent once by each new connection, apart from `count`

    def reset(self) -> None:
        self.count = 0
        self.connect_statements = 0
        self.log.clear()

    def record(self, statement: str) -> None:
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
    pool_capacity: int = DEFAULT_POOL_SIZE  # connections of the write engine (no overflow)

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def create_database(url: str, *, echo: bool = False,
                    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS,
                    pool_size: int = DEFAULT_POOL_SIZE) -> Database:
    counter = StatementCounter()
    timeout = lock_timeout_seconds
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite:
        write = _sqlite_engine(url, echo, timeout, pool_size, counter, begin="BEGIN IMMEDIATE")
        read = _sqlite_engine(url, echo, timeout, pool_size, counter, begin=None)
    else:
        write = _postgres_engine(url, echo, timeout, pool_size, read_only=False)
        read = _postgres_engine(url, echo, timeout, pool_size, read_only=True)
    _count_statements(write, counter, transactions=True, begin_event=not sqlite)
    _count_statements(read, counter, transactions=False)
    _discard_read_only_connections(write)
    return Database(url=url, write_engine=write, read_engine=read, statements=counter,
                    lock_timeout_seconds=timeout, pool_capacity=pool_size)


def _postgres_engine(url: str, echo: bool, timeout: float, pool_size: int, *,
                     read_only: bool) -> AsyncEngine:
    settings = {"lock_timeout": str(max(1, int(timeout * 1000)))}
    extra: dict[str, Any] = {}
    if read_only:
        settings["default_transaction_read_only"] = "on"
        extra["isolation_level"] = "AUTOCOMMIT"
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=0, pool_timeout=timeout,
        connect_args={"timeout": max(timeout, 1.0), "server_settings": settings}, **extra)


def _sqlite_engine(url: str, echo: bool, timeout: float, pool_size: int,
                   counter: StatementCounter, *, begin: str | None) -> AsyncEngine:
    """`begin` None: the read engine, statements in autocommit (no transaction)."""
    busy_ms = max(1, int(timeout * 1000))
    engine = create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=0, pool_timeout=timeout,
        connect_args={"timeout": timeout},
        **({"isolation_level": "AUTOCOMMIT"} if begin is None else {}))

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma.format(busy_ms=busy_ms))
        counter.connect_statements += len(_SQLITE_PRAGMAS)
        cursor.close()

    if begin is not None:
        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            if not _alone(conn):
                conn.exec_driver_sql(begin)

    return engine


def _discard_read_only_connections(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        if is_read_only(context.original_exception):
            # Treated as a disconnect: the pool drops this connection and those opened with it
            # (SQLite: connections opened while the file was read-only stay read-only).
            context.is_disconnect = True


def _count_statements(engine: AsyncEngine, counter: StatementCounter, *,
                      transactions: bool, begin_event: bool = False) -> None:
    """Statements through a cursor (SAVEPOINT/RELEASE and SQLite's BEGIN IMMEDIATE included),
    plus, on an engine with `transactions`, the transaction control the driver sends on its
    own: COMMIT and ROLLBACK, and BEGIN where it is not a cursor statement (`begin_event`:
    PostgreSQL). The read engine runs in AUTOCOMMIT: SQLAlchemy still signals a begin and a
    rollback there, but nothing is sent, so they are not counted."""
    sync = engine.sync_engine
    _RECORDERS[sync] = counter.record  # for persistence/reads/direct.py

    @event.listens_for(sync, "before_cursor_execute")
    def _before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counter.record(statement)

    if not transactions:
        return
    if begin_event:
        @event.listens_for(sync, "begin")
        def _begin(conn: Any) -> None:
            if not _alone(conn):
                counter.record("BEGIN")

    @event.listens_for(sync, "commit")
    def _commit(conn: Any) -> None:
        if not _alone(conn):
            counter.record("COMMIT")

    @event.listens_for(sync, "rollback")
    def _rollback(conn: Any) -> None:
        if not _alone(conn):
            counter.record("ROLLBACK")


def statement_recorder(engine: Engine) -> Callable[[str], None] | None:
    """How a statement sent on `engine`'s connections around SQLAlchemy (straight to the
    driver) is counted, like those SQLAlchemy sends."""
    return _RECORDERS.get(engine)


def _alone(conn: Any) -> bool:
    """A connection of `execute_alone`: its begin, commit and rollback send nothing."""
    return bool(conn.get_execution_options().get(ALONE))


async def execute_alone(db: Database, statement: Any) -> list[Any]:
    """One write statement, committed by itself (autocommit: no BEGIN or COMMIT is sent, nor
    counted), for a write that needs no transaction around it; its rows (RETURNING).
    SQLite: no BEGIN IMMEDIATE, so the statement is its own transaction (the driver sends no
    BEGIN of its own); PostgreSQL: the connection in AUTOCOMMIT for this statement (the pool
    restores its isolation level when it comes back)."""
    options: dict[str, Any] = {ALONE: True}
    if not db.is_sqlite:
        options["isolation_level"] = "AUTOCOMMIT"
    async with db.write_engine.connect() as conn:
        await conn.execution_options(**options)
        rows = list((await conn.execute(statement)).all())
        await conn.commit()
    return rows
