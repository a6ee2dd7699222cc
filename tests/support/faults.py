"""Database faults made on purpose, for tests (docs/rules.md, "Database faults and provider
outages"): another client holding the write lock, and a database that cannot be written."""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


LOCK_TIMEOUT = 0.5  # the lock timeout of the `faulty` app (tests/api/conftest.py)

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


@contextlib.asynccontextmanager
async def read_only_database(url: str) -> AsyncIterator[None]:
    """SQLite: the file becomes read-only (immutable with chattr when running as root, whom
    file modes do not stop). PostgreSQL: new sessions of the database start read-only
    (default_transaction_read_only), as on a hot standby. Connections the app opens while
    this lasts cannot write; those it opened before may (and SQLite may reuse a writable file
    descriptor its process still keeps for the file: read-only tests come first in a test)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        with _read_only_file(path):
            yield
        return
    admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = parsed.database
    try:
        async with admin.connect() as conn:
            await conn.execute(text(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        yield
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
        await admin.dispose()


@contextlib.contextmanager
def _read_only_file(path: Path) -> Any:
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)],
                                        capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr +i: cannot make the file read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)
