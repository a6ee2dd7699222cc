"""Rate limits shared by every server process through Redis (REDIS_URL), the login limit per
client address and email, and what happens when Redis is down (docs/rules.md, "Events out and
shared state")."""
from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest

from adapters.security.rate_limits import RedisWindowLimiter, SlidingWindowLimiter
from tests.support.client import GraphQLClient, unique_email
from tests.support.factories import make_account
from tests.support.server import free_port, start_server
from tests.support.services import REDIS_URL

PING = "mutation { __typename }"
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token userErrors { code } } }"""


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


def login_outcome(body: dict[str, Any]) -> str:
    """RATE_LIMITED, or the login's own answer (a token, or its first userError code)."""
    if codes(body):
        return "+".join(codes(body))
    payload = body["data"]["login"]
    return "SIGNED_IN" if payload["token"] else payload["userErrors"][0]["code"]


@contextlib.asynccontextmanager
async def client(app: Any, address: str = "127.0.0.1") -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


# ------------------------------------------------------------------- the login limit, in-process


async def test_login_attempts_are_limited_per_address_and_email(make_app: Any,
                                                                clock: Any) -> None:
    app = make_app(login_rate_limit_per_minute=2)
    email = unique_email()
    async with client(app) as gql, client(app, "10.0.0.7") as elsewhere:
        attempt = {"email": email, "password": "wrong-password"}
        assert [login_outcome(await gql(LOGIN, attempt)) for _ in range(2)] == [
            "INVALID_CREDENTIALS"] * 2
        refused = await gql(LOGIN, attempt)
        assert codes(refused) == ["RATE_LIMITED"]
        assert 1 <= refused["errors"][0]["extensions"]["retryAfterSeconds"] <= 60
        upper = {"email": email.upper(), "password": "wrong-password"}
        assert login_outcome(await gql(LOGIN, upper)) == "RATE_LIMITED"  # one email
        # Another email from this address, and this email from another address, still go.
        assert login_outcome(await gql(LOGIN, {"email": unique_email(), "password": "x"})) \
            == "INVALID_CREDENTIALS"
        assert login_outcome(await elsewhere(LOGIN, attempt)) == "INVALID_CREDENTIALS"
        clock.advance(seconds=61)
        assert login_outcome(await gql(LOGIN, attempt)) == "INVALID_CREDENTIALS"


async def test_the_login_limit_counts_before_the_password_is_checked(make_app: Any,
                                                                      statements: Any) -> None:
    app = make_app(login_rate_limit_per_minute=1)
    async with client(app) as gql:
        attempt = {"email": unique_email(), "password": "wrong-password"}
        await gql(LOGIN, attempt)
        counter = app.state.runtime.db.statements
        counter.reset()
        assert login_outcome(await gql(LOGIN, attempt)) == "RATE_LIMITED"
        assert counter.count == 0


# ---------------------------------------------------------------------- the Redis window


async def test_the_redis_window_answers_as_the_process_window(clock: Any,
                                                               redis_prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL, decode_responses=True)
    shared = RedisWindowLimiter(redis, name="mutation", prefix=redis_prefix, limit=3,
                                clock=clock)
    local = SlidingWindowLimiter(3, clock)
    try:
        answers: list[tuple[Any, Any]] = []
        for cost, step in [(1, 0), (1, 10), (2, 0), (1, 0), (4, 0), (1, 45), (2, 6), (1, 0)]:
            clock.advance(seconds=step)
            answers.append((await shared.acquire("user:1", cost),
                            await local.acquire("user:1", cost)))
        assert [a for a, _ in answers] == [b for _, b in answers]
        assert answers[:2] == [(None, None), (None, None)]
        assert answers[2][0] == pytest.approx(50.0)  # the first hit leaves in 50 s
        assert answers[4][0] == pytest.approx(60.0)  # more than the limit: a whole window
        assert await redis.pttl(f"{redis_prefix}ratelimit:mutation:user:1") > 0  # expires
    finally:
        await redis.aclose()


async def test_redis_down_fails_open_to_the_process_window(make_app: Any) -> None:
    app = make_app(mutation_rate_limit_per_minute=2,
                   redis_url=f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    async with client(app) as gql:
        answers = [codes(await gql(PING)) for _ in range(3)]
        assert answers == [[], [], ["RATE_LIMITED"]]  # this process still limits
        scrape = (await gql.http.get("/metrics")).text
    assert 'rate_limit_store_errors_total{limiter="mutation"} 1.0' in scrape


# ------------------------------------------------------------------- two server processes


@pytest.fixture
async def two_servers(runtime: Any, log_dir: Path, redis_prefix: str
                      ) -> AsyncIterator[list[Any]]:
    env = {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": redis_prefix,
           "RATE_LIMIT_PER_MINUTE": "6", "LOGIN_RATE_LIMIT_PER_MINUTE": "3"}
    servers = [start_server(runtime.settings.database_url, log_dir, env=env)
               for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


@pytest.mark.slow
async def test_two_processes_share_one_mutation_budget(runtime: Any,
                                                       two_servers: list[Any]) -> None:
    buyer = await make_account(runtime)
    async with httpx.AsyncClient(base_url=two_servers[0].base_url, timeout=30) as a, \
            httpx.AsyncClient(base_url=two_servers[1].base_url, timeout=30) as b:
        calls = [GraphQLClient(http)(PING, token=buyer.token) for http in (a, b)
                 for _ in range(5)]
        answers = await asyncio.gather(*calls)
        anonymous = [codes(await GraphQLClient(http)(PING)) for http in (a, b)]
    assert sorted(tuple(codes(body)) for body in answers) == [()] * 6 + [("RATE_LIMITED",)] * 4
    assert anonymous == [[], []]  # another key, its own budget


@pytest.mark.slow
async def test_two_processes_share_one_login_budget(two_servers: list[Any]) -> None:
    email = unique_email()
    attempt = {"email": email, "password": "wrong-password"}
    async with httpx.AsyncClient(base_url=two_servers[0].base_url, timeout=30) as a, \
            httpx.AsyncClient(base_url=two_servers[1].base_url, timeout=30) as b:
        answers = [login_outcome(await GraphQLClient(http)(LOGIN, attempt))
                   for http in (a, b, a, b, a, b)]
    assert sorted(answers) == ["INVALID_CREDENTIALS"] * 3 + ["RATE_LIMITED"] * 3
