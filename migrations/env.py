"""Async Alembic environment (SQLite via aiosqlite, PostgreSQL via asyncpg)."""
from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import metadata

config = context.config
target_metadata = metadata

# Objects the migrations create by hand for one dialect only (full-text search): not part of
# the portable models, so the models-vs-migrations comparison leaves them out.
HAND_MADE = {"products_fts", "ix_products_search"}


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if name is None:
        return True
    if type_ == "table" and (name in HAND_MADE or name.startswith("products_fts")):
        return False
    return name not in HAND_MADE


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    engine = create_async_engine(url, poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # called from inside a running loop (tests)
        _run_sync(connection)
        return
    asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
