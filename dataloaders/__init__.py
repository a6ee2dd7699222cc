"""Per-request dataloaders: `<Entity>By<Key>` loaders over batched read queries.

Every relation a GraphQL type exposes goes through one of these, so a page of N products costs
the same few statements as a page of 1. Each batch opens its own short connection on the read
engine: one connection must never be shared by concurrently resolved fields.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Sequence

from aiodataloader import DataLoader
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.clock import Clock
from persistence.db import Database

BatchQuery = Callable[[AsyncConnection, Sequence[Any]], Awaitable[Sequence[Any]]]


class Loaders:
    """Built lazily: a request that never touches a relation never creates its loader."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._loaders: dict[str, DataLoader] = {}

    def get(self, name: str, query: BatchQuery) -> DataLoader:
        loader = self._loaders.get(name)
        if loader is None:
            db = self.db

            async def batch(keys: list[Any]) -> list[Any]:
                try:
                    async with db.read_engine.connect() as conn:
                        return list(await query(conn, keys))
                except DBAPIError as exc:
                    if not exc.connection_invalidated:
                        raise
                # A dead pooled connection (the pool has dropped it): once more, on a new one
                # (docs/rules.md, "Database faults and provider outages").
                async with db.read_engine.connect() as conn:
                    return list(await query(conn, keys))

            loader = self._loaders[name] = DataLoader(batch_load_fn=batch)
        return loader

    def clear(self) -> None:
        self._loaders.clear()

    def __getattr__(self, name: str) -> DataLoader:
        """`loaders.product_by_id` etc.: looked up in the registry of batched read queries."""
        from dataloaders.registry import QUERIES

        query = QUERIES.get(name)
        if query is None:
            raise AttributeError(name)
        return self.get(name, query)
