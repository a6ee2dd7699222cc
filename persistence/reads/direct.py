"""Read statements sent straight to asyncpg (docs/architecture.md, "Reads sent straight to the
driver").

The catalogue's read statements are SQLAlchemy Core objects built once (persistence/reads/
catalog.py, `pagination.page_statement`). SQLAlchemy's execution of such a statement still
costs, per call, an execution context, the expansion of every `IN` list, parameter and result
processing and a greenlet hop, about a fifth of the server's time on the catalogue page. On
PostgreSQL, `fetch_rows` does that work once per (statement, size of each list parameter): it
renders the SQL with SQLAlchemy's own compiler (`construct_expanded_state`, so the text is the
very one SQLAlchemy would send), remembers where each positional value comes from and which
values need the column types' processors, and then sends the statement with asyncpg's `fetch`
(its prepared-statement cache) on the request's read connection.

Only on a connection in AUTOCOMMIT (the read engine; persistence/db.py): SQLAlchemy's asyncpg
adapter begins a transaction lazily at the first statement, which a statement sent around it
would miss. Elsewhere, and on SQLite, `fetch_rows` is `conn.execute(stmt, params).all()`.

Every statement sent this way is counted like any other (`Database.statements`). If the driver
fails, the statement is sent once more through SQLAlchemy, which raises its own wrapped error
and invalidates a dead connection (so RequestReads' retry and the fault mapping of
persistence/faults.py work as for every other statement); reads have no side effects.

Statements passed here must live as long as the process (module constants or built once per
query shape): plans are kept per statement object, at most `PLAN_CACHE_SIZE` of them.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from persistence.db import statement_recorder

PLAN_CACHE_SIZE = 512
Processor = Callable[[Any], Any]
@dataclass(frozen=True)
class Plan:
    stmt: Any  # kept so that the id in the cache key is never another statement's
    sql: str
    # per positional value: (execution parameter name, index in its list or -1) or a constant
    sources: tuple[tuple[str, int] | tuple[None, Any], ...]
    binds: tuple[tuple[int, Processor], ...]  # processors of execution values, by position
    results: tuple[tuple[int, Processor], ...]  # processors of result columns, by position
    direct: bool = True  # False: this statement goes through SQLAlchemy (e.g. a Numeric column)

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, i in self.sources:
            if name is None:  # a constant
                values.append(i)
            elif i < 0:
                values.append(params[name])
            else:
                values.append(params[name][i])
        for at, process in self.binds:
            values[at] = process(values[at])
        return values

    def rows(self, records: list[Any]) -> Sequence[Any]:
        if not self.results:
            return records
        out = []
        for record in records:
            row = list(record)
            for at, process in self.results:
                row[at] = process(row[at])
            out.append(row)
        return out


class Plans:
    def __init__(self) -> None:
        self._plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()
        self.built = 0  # plans compiled (tests: statements are planned once, then reused)
        self.reused = 0

    def get(self, stmt: Any, params: Mapping[str, Any], dialect: Any) -> Plan:
        key = (id(stmt), *((name, len(v)) for name, v in params.items()
                           if isinstance(v, (list, tuple))))
        plan = self._plans.get(key)
        if plan is not None and plan.stmt is stmt:
            self.reused += 1
            self._plans.move_to_end(key)
            return plan
        plan = self._plans[key] = _plan(stmt, params, dialect)
        self.built += 1
        if len(self._plans) > PLAN_CACHE_SIZE:
            self._plans.popitem(last=False)
        return plan


PLANS = Plans()


def _plan(stmt: Any, params: Mapping[str, Any], dialect: Any) -> Plan:
    compiled = stmt.compile(dialect=dialect)
    state = compiled.construct_expanded_state(dict(params))
    expanded = {f"{name}_{i + 1}": (name, i) for name, v in params.items()
                if isinstance(v, (list, tuple)) for i in range(len(v))}
    sources: list[tuple[str, int] | tuple[None, Any]] = []
    binds: list[tuple[int, Processor]] = []
    for at, name in enumerate(state.positiontup or ()):
        process = state.processors.get(name)
        if name in expanded:
            sources.append(expanded[name])
        elif name in params:
            sources.append((name, -1))
        else:  # a value the statement carries itself: processed once, here
            value = state.parameters[name]
            sources.append((None, process(value) if process else value))
            continue
        if process is not None:
            binds.append((at, process))
    try:
        results = tuple((at, process) for at, column in enumerate(stmt.selected_columns)
                        if (process := column.type._cached_result_processor(dialect, None)))
    except (TypeError, KeyError):  # a processor that depends on the column's database type
        return Plan(stmt, "", (), (), (), direct=False)
    return Plan(stmt, state.statement, tuple(sources), tuple(binds), results)


async def fetch_rows(conn: AsyncConnection, stmt: Executable,
                     params: Mapping[str, Any] | None = None) -> Sequence[Any]:
    """The rows of `stmt` (positional access, as SQLAlchemy's Row gives)."""
    params = params or {}
    sync = conn.sync_connection
    if sync is None or conn.dialect.driver != "asyncpg":
        return (await conn.execute(stmt, params)).all()
    fairy = sync.connection
    driver = fairy.driver_connection
    if driver is None or not getattr(fairy.dbapi_connection, "autocommit", False):
        return (await conn.execute(stmt, params)).all()
    plan = PLANS.get(stmt, params, conn.dialect)
    if not plan.direct:
        return (await conn.execute(stmt, params)).all()
    record = statement_recorder(sync.engine)
    if record is not None:
        record(plan.sql)
    try:
        records = await driver.fetch(plan.sql, *plan.args(params))
    except Exception:
        # The driver's own error: SQLAlchemy sends it again and raises (or recovers) its way.
        return (await conn.execute(stmt, params)).all()
    return plan.rows(records)


async def fetch_scalar(conn: AsyncConnection, stmt: Executable,
                       params: Mapping[str, Any] | None = None) -> Any:
    """The first column of the one row of `stmt`."""
    rows = await fetch_rows(conn, stmt, params)
    if len(rows) != 1:
        raise LookupError(f"expected one row, got {len(rows)}")
    return rows[0][0]
