"""Where Automatic Persisted Queries are kept (docs/rules.md, "Documents and persisted
queries"): a bounded in-process LRU, and in front of Redis when REDIS_URL is set so that every
server process sees a document registered with any of them. A Redis that fails is logged and
skipped: the worst outcome is a PersistedQueryNotFound, on which the client sends the document
again."""
from __future__ import annotations

import logging
from typing import Any

from adapters.lru import LRU

log = logging.getLogger("marketplace.persisted_queries")
REDIS_TTL_SECONDS = 7 * 24 * 3600  # refreshed by every registration


class MemoryQueryStore:
    def __init__(self, maxsize: int) -> None:
        self.local: LRU[str, str] = LRU(maxsize)

    async def get(self, sha256: str) -> str | None:
        return self.local.get(sha256)

    async def put(self, sha256: str, query: str) -> None:
        self.local.put(sha256, query)


class RedisQueryStore(MemoryQueryStore):
    """The local LRU first, then Redis (key `<REDIS_KEY_PREFIX>apq:<sha256>`)."""

    def __init__(self, maxsize: int, client: Any, prefix: str) -> None:
        super().__init__(maxsize)
        self.client = client
        self.prefix = f"{prefix}apq:"

    async def get(self, sha256: str) -> str | None:
        found = await super().get(sha256)
        if found is not None:
            return found
        from redis.exceptions import RedisError

        try:
            shared = await self.client.get(self.prefix + sha256)
        except (RedisError, OSError) as exc:
            log.warning("persisted query store unavailable: %s", exc)
            return None
        if shared is None:
            return None
        query = shared.decode() if isinstance(shared, bytes) else str(shared)
        await super().put(sha256, query)
        return query

    async def put(self, sha256: str, query: str) -> None:
        await super().put(sha256, query)
        from redis.exceptions import RedisError

        try:
            await self.client.set(self.prefix + sha256, query, ex=REDIS_TTL_SECONDS)
        except (RedisError, OSError) as exc:
            log.warning("persisted query not shared: %s", exc)
