"""What every repository shares: the transaction's connection and the dialect name."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


class Repository:
    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect

    def upsert(self, table: Table) -> Any:
        """INSERT ... ON CONFLICT for the running dialect (both speak it)."""
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def lock(self, stmt: Any) -> Any:
        """SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises."""
        return stmt.with_for_update() if self.dialect == "postgresql" else stmt
