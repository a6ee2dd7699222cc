"""Migrations are the only source of the database schema: after `upgrade head`, Alembic's
autogenerate comparison finds nothing between the models (persistence/tables) and the
database, on whichever database the suite runs (SQLite by default, PostgreSQL in CI)."""
from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from migrations import env_filters
from persistence.tables import metadata


def _diff(sync_conn: Any, target: MetaData) -> list[Any]:
    context = MigrationContext.configure(sync_conn, opts={
        "include_name": env_filters.include_name, "compare_type": True})
    return list(compare_metadata(context, target))


async def _compare(url: str, target: MetaData) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_diff, target)  # type: ignore[arg-type]
    finally:
        await engine.dispose()


async def test_models_and_migrations_agree(migrated: str) -> None:
    assert await _compare(migrated, metadata) == []


async def test_the_comparison_notices_a_model_the_migrations_lack(migrated: str) -> None:
    extended = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extended)
    Table("not_migrated", extended, Column("id", Integer, primary_key=True))
    diff = await _compare(migrated, extended)
    assert [d[0] for d in diff] == ["add_table"]


async def test_search_objects_exist_per_dialect(migrated: str) -> None:
    engine = create_async_engine(migrated)
    async with engine.connect() as conn:
        def names(sync_conn: Any) -> tuple[str, set[str], set[str]]:
            inspector = inspect(sync_conn)
            return (sync_conn.dialect.name, set(inspector.get_table_names()),
                    {i["name"] for i in inspector.get_indexes("products")})
        dialect, tables, indexes = await conn.run_sync(names)
    await engine.dispose()
    if dialect == "sqlite":
        assert "products_fts" in tables
    else:
        assert "ix_products_search" in indexes


async def test_downgrade_to_base_and_up_again(migrated: str, tmp_path: Any) -> None:
    """Every migration's downgrade works, on a database of its own."""
    import asyncio

    from alembic import command
    from sqlalchemy.engine import make_url

    from migrations import alembic_config
    from tests.support.database import create_database, drop_database

    parsed = make_url(migrated)
    url = (f"sqlite+aiosqlite:///{tmp_path / 'roundtrip.db'}"
           if parsed.get_backend_name() == "sqlite"
           else parsed.set(database=f"{parsed.database}_mig").render_as_string(False))
    await create_database(url)
    try:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "head")
        await asyncio.to_thread(command.downgrade, config, "base")
        await asyncio.to_thread(command.upgrade, config, "head")
        assert await _compare(url, metadata) == []
    finally:
        await drop_database(url)
