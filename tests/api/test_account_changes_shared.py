"""With REDIS_URL, an account change made through one server process is seen by another on its
next request (the cached state is shared and deleted on change); without it, each process
keeps its own cache and sees the change within ACCOUNT_CACHE_SECONDS."""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from domain.ids import encode_id
from settings import Settings
from tests.support.factories import make_account
from tests.support.server import start_server

REDIS_URL = "redis://127.0.0.1:6379/0"
SELLER_PRODUCTS = {"query": "{ sellerProducts(first: 1) { totalCount } }"}
SET_ROLE = """mutation($id: ID!) { adminSetUserRole(userId: $id, role: BUYER) {
  user { accountType } userErrors { code } } }"""


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A key prefix of this test alone (other runs share the Redis server); removed after."""
    name = f"test-{uuid.uuid4().hex}:"
    yield name
    client = Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{name}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def _code(http: httpx.AsyncClient, token: str) -> str | None:
    body = (await http.post("/graphql", json=SELLER_PRODUCTS,
                            headers={"Authorization": f"Bearer {token}"})).json()
    return body["errors"][0]["extensions"]["code"] if body.get("errors") else None


async def _demote(http: httpx.AsyncClient, admin_token: str, user_id: int) -> None:
    body = (await http.post("/graphql", json={
        "query": SET_ROLE, "variables": {"id": encode_id("User", user_id)}},
        headers={"Authorization": f"Bearer {admin_token}"})).json()
    assert body["data"]["adminSetUserRole"]["user"] == {"accountType": "BUYER"}, body


async def test_a_change_through_process_a_is_seen_by_process_b_at_once_with_redis(
        settings: Settings, runtime: Any, log_dir: Path, prefix: str) -> None:
    admin = await make_account(runtime, "ADMIN")
    seller = await make_account(runtime, "SELLER")
    env = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": prefix,
           "ACCOUNT_CACHE_SECONDS": "300"}  # only the deleted key can explain a quick change
    a = start_server(settings.database_url, log_dir, env=env)
    b = start_server(settings.database_url, log_dir, env=env)
    try:
        async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as on_a, \
                httpx.AsyncClient(base_url=b.base_url, timeout=30) as on_b:
            assert await _code(on_b, seller.token) is None  # B caches the SELLER state
            client = Redis.from_url(REDIS_URL)
            assert await client.exists(f"{prefix}account:{seller.user_id}") == 1
            await client.aclose()
            await _demote(on_a, admin.token, seller.user_id)
            assert await _code(on_b, seller.token) == "FORBIDDEN"
    finally:
        a.stop()
        b.stop()


async def test_without_redis_another_process_sees_the_change_within_the_cache_time(
        settings: Settings, runtime: Any, log_dir: Path) -> None:
    admin = await make_account(runtime, "ADMIN")
    seller = await make_account(runtime, "SELLER")
    env = {"ACCOUNT_CACHE_SECONDS": "1"}
    a = start_server(settings.database_url, log_dir, env=env)
    b = start_server(settings.database_url, log_dir, env=env)
    try:
        async with httpx.AsyncClient(base_url=a.base_url, timeout=30) as on_a, \
                httpx.AsyncClient(base_url=b.base_url, timeout=30) as on_b:
            assert await _code(on_b, seller.token) is None
            await _demote(on_a, admin.token, seller.user_id)
            assert await _code(on_a, seller.token) == "FORBIDDEN"  # its own process: at once
            await asyncio.sleep(1.2)
            assert await _code(on_b, seller.token) == "FORBIDDEN"
    finally:
        a.stop()
        b.stop()
