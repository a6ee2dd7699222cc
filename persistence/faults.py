"""Which database exceptions mean "unavailable for now" rather than a bug (docs/rules.md,
"Database faults and provider outages"), stated once for both dialects.

`classify(exc)` names the fault: "locked" (SQLite busy past the busy timeout, PostgreSQL
lock_timeout 55P03 or a cancelled statement 57014), "pool_exhausted" (no pooled connection within
the timeout), "read_only" (SQLite read-only file, PostgreSQL 25006 / a hot standby),
"disconnected" (the connection died: the pool invalidated it), "unreachable" (cannot connect),
or None for everything else (a real fault: INTERNAL). `unavailable(exc, retry_after)` wraps a
named fault in the domain's ServiceUnavailable.
"""
from __future__ import annotations

import math
import sqlite3

from sqlalchemy import exc as sa_exc

from domain.errors import ServiceUnavailable

_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_CANTOPEN = 5, 6, 8, 14
_PG_STATES = {"55P03": "locked", "57014": "locked", "25006": "read_only",
              "57P01": "disconnected", "57P02": "disconnected", "57P03": "unreachable",
              "08000": "disconnected", "08003": "disconnected", "08006": "disconnected",
              "08001": "unreachable", "08004": "unreachable",
              # no session slot left on the server ("too many clients"): cannot connect now
              "53300": "unreachable"}


def _sqlite_code(orig: BaseException) -> int | None:
    code = getattr(orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def classify(exc: BaseException) -> str | None:
    if isinstance(exc, ServiceUnavailable):
        return exc.reason
    if isinstance(exc, sa_exc.TimeoutError):  # QueuePool: no connection within pool_timeout
        return "pool_exhausted"
    if isinstance(exc, sa_exc.DBAPIError):
        orig = exc.orig
        state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        named = _PG_STATES.get(state) if state else (
            classify(orig) if isinstance(orig, (sqlite3.Error, OSError)) else None)
        return named or ("disconnected" if exc.connection_invalidated else None)
    if isinstance(exc, sqlite3.Error):
        return _sqlite_fault(exc)
    if isinstance(exc, OSError):  # refused, reset, timed out: asyncpg raises these connecting
        return "unreachable"
    state = getattr(exc, "sqlstate", None)  # a driver error that reached us unwrapped
    return _PG_STATES.get(state) if isinstance(state, str) else None


def _sqlite_fault(orig: BaseException) -> str | None:
    code = _sqlite_code(orig)
    message = str(orig).lower()
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in message:
        return "locked"
    if code == _SQLITE_READONLY or "readonly database" in message:
        return "read_only"
    if code == _SQLITE_CANTOPEN or "unable to open database" in message:
        return "unreachable"
    return None


def is_read_only(orig: BaseException) -> bool:
    """A driver error saying this connection cannot write. A SQLite connection that opened the
    file read-only stays so, and a PostgreSQL session keeps the default_transaction_read_only
    it started with: such a connection is discarded (persistence/db.py) so the next one is
    opened afresh, writable if the database has become so."""
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state is not None:
        return _PG_STATES.get(state) == "read_only"
    return _sqlite_fault(orig) == "read_only" if isinstance(orig, sqlite3.Error) else False


def unavailable(exc: BaseException, lock_timeout_seconds: float) -> ServiceUnavailable | None:
    reason = classify(exc)
    if reason is None:
        return None
    return ServiceUnavailable(reason, retry_after_seconds=retry_after(lock_timeout_seconds))


def retry_after(lock_timeout_seconds: float) -> int:
    """What clients are told to wait: the lock timeout, rounded up, at least one second."""
    return max(1, math.ceil(lock_timeout_seconds))
