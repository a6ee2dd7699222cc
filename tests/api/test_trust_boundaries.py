"""Trust boundaries: X-Forwarded-For counts only from the proxies named in TRUSTED_PROXIES (a
forged header on loopback gets no fresh rate-limit bucket), and /metrics is served only to the
METRICS_TOKEN bearer when one is set, closed in production without one."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest

from app import create_app
from settings import Settings
from tests.support.server import start_server

PING = {"query": "mutation { __typename }"}
TOKEN = "metrics-token-" + "m" * 32


async def _limited(http: httpx.AsyncClient, forwarded_for: str | None = None) -> bool:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    body = (await http.post("/graphql", json=PING, headers=headers)).json()
    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    return "RATE_LIMITED" in codes


async def test_a_forged_forwarded_for_from_loopback_gets_no_fresh_bucket(
        settings: Settings, log_dir: Path) -> None:
    server = start_server(settings.database_url, log_dir, env={"RATE_LIMIT_PER_MINUTE": "2"})
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            assert not await _limited(http) and not await _limited(http)
            assert await _limited(http)
            assert await _limited(http, "203.0.113.7")  # the header is not believed
    finally:
        server.stop()


async def test_forwarded_for_from_a_trusted_proxy_is_honoured(
        settings: Settings, log_dir: Path) -> None:
    server = start_server(settings.database_url, log_dir,
                          env={"RATE_LIMIT_PER_MINUTE": "2", "TRUSTED_PROXIES": "127.0.0.1"})
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            assert not await _limited(http, "203.0.113.7")
            assert not await _limited(http, "203.0.113.7")
            assert await _limited(http, "203.0.113.7")
            assert not await _limited(http, "198.51.100.9")  # another client behind the proxy
    finally:
        server.stop()


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await app.state.runtime.db.dispose()


@pytest.fixture
async def guarded(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(replace(settings, metrics_token=TOKEN)):
        yield http


async def test_metrics_with_a_token_need_the_bearer(guarded: httpx.AsyncClient) -> None:
    assert (await guarded.get("/metrics")).status_code == 401
    wrong = await guarded.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = await guarded.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200 and "http_requests_total" in right.text


async def test_metrics_are_closed_in_production_without_a_token(settings: Settings) -> None:
    production = replace(settings, app_env="production", jwt_secret="j" * 40,
                         carrier_webhook_secret="c" * 40, stripe_webhook_secret="w" * 40)
    async for http in _client(production):
        assert (await http.get("/metrics")).status_code == 404
    async for http in _client(replace(production, metrics_token=TOKEN)):
        ok = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200


async def test_metrics_stay_open_in_development(gql: Any) -> None:
    assert (await gql.http.get("/metrics")).status_code == 200


async def test_behind_a_trusted_proxy_what_the_client_wrote_itself_does_not_count(
        settings: Settings) -> None:
    """The proxy appends the peer it saw; entries the client put in front are not believed."""
    trusted = replace(settings, trusted_proxies=("127.0.0.1",),
                      mutation_rate_limit_per_minute=1)
    async for http in _client(trusted):
        assert not await _limited(http, "198.51.100.1, 203.0.113.7")
        assert await _limited(http, "198.51.100.2, 203.0.113.7")  # the same client
        assert not await _limited(http, "198.51.100.2, 203.0.113.8")
