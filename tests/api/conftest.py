"""Fixtures of the API tests beyond the shared ones of tests/conftest.py."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, AsyncIterator, Callable

import httpx
import pytest

from app import create_app
from tests.support.client import GraphQLClient
from tests.support.faults import LOCK_TIMEOUT


@pytest.fixture
async def faulty(settings: Any, clock: Any, fast_hasher: Any) -> AsyncIterator[Any]:
    """An app whose writes wait LOCK_TIMEOUT for a lock (and for a pooled connection)."""
    app = create_app(replace(settings, db_lock_timeout_seconds=LOCK_TIMEOUT,
                             readiness_timeout_seconds=0.3),
                     clock=clock, password_hasher=fast_hasher)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http), app.state.runtime
    await app.state.runtime.db.dispose()


@pytest.fixture
async def make_app(settings: Any, clock: Any, fast_hasher: Any
                   ) -> AsyncIterator[Callable[..., Any]]:
    """The real app with some settings changed; each one's Redis client and engines are
    closed at the end."""
    made: list[Any] = []

    def make(**overrides: Any) -> Any:
        made.append(create_app(replace(settings, **overrides), clock=clock,
                               password_hasher=fast_hasher))
        return made[-1]

    yield make
    for application in made:
        redis = application.state.runtime.redis
        if redis is not None:
            await redis.aclose()
        await application.state.runtime.db.dispose()
