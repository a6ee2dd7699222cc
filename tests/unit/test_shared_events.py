"""The shared execution cache (docs/architecture.md, "Live events"): concurrent members of a
group run one execution; a failed execution is not kept; the cache stays bounded."""
from __future__ import annotations

import asyncio

import pytest

from schema.shared_events import ExecutionCache


async def test_concurrent_members_of_a_group_share_one_execution() -> None:
    cache = ExecutionCache()
    ran = []

    async def execute() -> str:
        ran.append(1)
        await asyncio.sleep(0.01)
        return "result"

    results = await asyncio.gather(*(cache.run(("event-1", "group"), execute)
                                     for _ in range(10)))
    assert results == ["result"] * 10
    assert len(ran) == 1 and cache.executions == 1
    await cache.run(("event-2", "group"), execute)
    await cache.run(("event-1", "other group"), execute)
    assert len(ran) == 3


async def test_a_failed_execution_is_not_kept_and_the_cache_is_bounded() -> None:
    cache = ExecutionCache(size=2)

    def fail() -> str:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await cache.run("key", fail)
    assert await cache.run("key", lambda: "ok") == "ok"
    for key in ("a", "b", "c"):
        await cache.run(key, lambda: "filler")
    assert await cache.run("key", lambda: "again") == "again"  # evicted: runs again
    assert cache.executions == 6
