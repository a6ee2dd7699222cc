"""Where the response cache keeps its bodies (docs/rules.md, "Response cache").

Both stores work by generation: `invalidate()` bumps a counter, and an entry is served only
while the generation it was computed under is still the current one and its TTL has not run
out. A reader notes the generation *before* it runs the query (`lookup`), and stores under that
one, so a change committed while the query ran leaves the new entry already stale.

- `LocalStore`: this process only; an LRU bounded by entries and by bytes of bodies.
- `RedisStore` (REDIS_URL set): one counter key every process reads, and bodies stored with the
  TTL (PX); one MGET per lookup. Redis errors make a miss and skip the store (the request is
  served uncached), never a failed request.
"""
from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

from domain import events
from settings import Settings

# Outbox events after which a catalogue read may answer differently: products, prices and
# stock (holds by carts and checkouts, allocation by orders, release by cancellation, expiry).
INVALIDATING = frozenset({
    events.CATALOG_CHANGED, events.LOW_STOCK, events.CART_ITEM_ADDED, events.CART_EXPIRED,
    events.CHECKOUT_STARTED, events.ORDER_CREATED, events.ORDER_STATUS_CHANGED,
    events.PAYMENT_FAILED,
})


def invalidates(event_type: str) -> bool:
    return event_type in INVALIDATING


log = logging.getLogger("marketplace.response_cache")


@dataclass(frozen=True)
class Entry:
    etag: str
    body: bytes


@dataclass(frozen=True)
class Lookup:
    generation: int | None  # None: the store cannot be used now (store nothing)
    entry: Entry | None


class LocalStore:
    def __init__(self, ttl_seconds: float, max_entries: int, max_bytes: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.clock = clock
        self.generation = 0
        self.size = 0
        self._entries: OrderedDict[str, tuple[int, float, Entry]] = OrderedDict()

    async def lookup(self, key: str) -> Lookup:
        found = self._entries.get(key)
        if found is None:
            return Lookup(self.generation, None)
        generation, expires, entry = found
        if generation != self.generation or self.clock() >= expires:
            self._drop(key)
            return Lookup(self.generation, None)
        self._entries.move_to_end(key)
        return Lookup(self.generation, entry)

    async def store(self, key: str, entry: Entry, generation: int) -> None:
        if generation != self.generation or len(entry.body) > self.max_bytes:
            return
        self._drop(key)
        self._entries[key] = (generation, self.clock() + self.ttl, entry)
        self.size += len(entry.body)
        while self._entries and (len(self._entries) > self.max_entries
                                 or self.size > self.max_bytes):
            self._drop(next(iter(self._entries)))

    async def invalidate(self) -> None:
        self.generation += 1
        self._entries.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: str) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self.size -= len(found[2].body)


class RedisStore:
    def __init__(self, redis: Any, prefix: str, ttl_seconds: float, max_bytes: int) -> None:
        self.redis = redis
        self.generation_key = f"{prefix}response-cache:generation"
        self.prefix = f"{prefix}response-cache:body:"
        self.ttl_ms = max(1, int(ttl_seconds * 1000))
        self.max_bytes = max_bytes

    async def lookup(self, key: str) -> Lookup:
        try:
            generation, stored = await self.redis.mget(self.generation_key, self.prefix + key)
        except Exception:  # noqa: BLE001 - Redis down: serve uncached
            log.warning("response cache: Redis lookup failed; serving uncached", exc_info=True)
            return Lookup(None, None)
        current = int(generation or 0)
        if stored is None:
            return Lookup(current, None)
        try:
            value = json.loads(stored)
        except ValueError:
            return Lookup(current, None)
        if value.get("g") != current:
            return Lookup(current, None)
        return Lookup(current, Entry(value["e"], value["b"].encode()))

    async def store(self, key: str, entry: Entry, generation: int) -> None:
        if len(entry.body) > self.max_bytes:
            return
        value = json.dumps({"g": generation, "e": entry.etag, "b": entry.body.decode()})
        try:
            await self.redis.set(self.prefix + key, value, px=self.ttl_ms)
        except Exception:  # noqa: BLE001
            log.warning("response cache: Redis store failed", exc_info=True)

    async def invalidate(self) -> None:
        try:
            await self.redis.incr(self.generation_key)
        except Exception:  # noqa: BLE001 - entries then expire with their TTL
            log.warning("response cache: Redis invalidation failed", exc_info=True)


class ResponseCache:
    def __init__(self, store: LocalStore | RedisStore, ttl_seconds: float,
                 counter: Any = None) -> None:
        self.store = store
        self.cache_control = f"public, max-age={int(ttl_seconds)}"
        self.counter = counter  # a prometheus Counter labelled by result, or None

    def count(self, result: str) -> None:
        if self.counter is not None:
            self.counter.labels(result).inc()

    async def invalidate(self) -> None:
        await self.store.invalidate()


def build_response_cache(settings: Settings, redis: Any,
                         counter: Any = None) -> ResponseCache | None:
    """None when RESPONSE_CACHE_TTL_SECONDS is 0."""
    ttl = settings.response_cache_ttl_seconds
    if ttl <= 0:
        return None
    store: LocalStore | RedisStore
    if redis is not None:
        store = RedisStore(redis, settings.redis_key_prefix, ttl,
                           settings.response_cache_max_bytes)
    else:
        store = LocalStore(ttl, settings.response_cache_max_entries,
                           settings.response_cache_max_bytes)
    return ResponseCache(store, ttl, counter)
