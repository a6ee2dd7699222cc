"""Per-request dataloaders: `<Entity>By<Key>` loaders over batched read queries.

Every relation a GraphQL type exposes goes through one of these, so a page of N products costs
the same few statements as a page of 1. Each batch reads through the request's reads
(persistence/request_reads.py: one read connection per HTTP request, one statement at a time).
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Sequence

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.clock import Clock
from persistence.reads.primed import Primed
from persistence.request_reads import RequestReads

BatchQuery = Callable[[AsyncConnection, Sequence[Any]], Awaitable[Sequence[Any] | Primed]]


class Loaders:
    """Built lazily: a request that never touches a relation never creates its loader."""

    def __init__(self, reads: RequestReads, clock: Clock) -> None:
        self.reads = reads
        self.db = reads.db
        self.clock = clock
        self._loaders: dict[str, DataLoader] = {}

    def get(self, name: str, query: BatchQuery) -> DataLoader:
        loader = self._loaders.get(name)
        if loader is None:
            reads = self.reads

            async def batch(keys: list[Any]) -> list[Any]:
                found = await reads.run(lambda conn: query(conn, keys))
                if isinstance(found, Primed):  # related rows read in the same statement
                    for name, pairs in found.primes.items():
                        related = getattr(self, name)
                        for key, value in pairs:
                            related.prime(key, value)
                    return list(found.values)
                return list(found)

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
