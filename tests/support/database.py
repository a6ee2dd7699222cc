"""The database under test: its URL (SQLite file or a private PostgreSQL database per run),
created and migrated to head, emptied between tests, dropped at the end."""
from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import metadata

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def test_database_url(tmp_dir: Path) -> str:
    """SQLite file in a temp dir by default; with DATABASE_URL set to PostgreSQL, a private
    database `<name>_t<pid>` on that server (created here, dropped by `drop_database`), so
    test runs in parallel never share tables."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}"
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.set(database=f"{parsed.database}_t{os.getpid()}").render_as_string(
        hide_password=False)


async def _on_server(url: str, *statements: str) -> None:
    """Run statements on the PostgreSQL server of `url` (connected to its `postgres` db)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        for statement in statements:
            await conn.execute(text(statement.format(db=parsed.database)))
    await admin.dispose()


async def create_database(url: str) -> None:
    await _on_server(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)', 'CREATE DATABASE "{db}"')


async def drop_database(url: str) -> None:
    await _on_server(url, 'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


async def reset_schema(url: str) -> None:
    """Start from an empty database, then migrate to head (migrations are the only source)."""
    await create_database(url)
    from migrations import upgrade_head

    await asyncio.to_thread(upgrade_head, url)


async def truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    names = [t.name for t in reversed(metadata.sorted_tables)]
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
        else:
            await conn.execute(text("PRAGMA foreign_keys=OFF"))
            for name in names:
                await conn.execute(text(f"DELETE FROM {name}"))
            if await _has_seq(conn):
                await conn.execute(text("DELETE FROM sqlite_sequence"))
            await conn.execute(text("INSERT INTO products_fts(products_fts) VALUES ('rebuild')"))
    await engine.dispose()


async def _has_seq(conn: Any) -> bool:
    result = await conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"))
    return result.first() is not None
