"""Fixtures shared by every test: one migrated database per run (SQLite file by default,
PostgreSQL when DATABASE_URL says so), emptied before each test that uses it."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest

from app import create_app
from domain.clock import ManualClock
from adapters.security.passwords import Argon2PasswordHasher
from settings import Settings
from tests.support.client import GraphQLClient
from tests.support.database import drop_database, reset_schema, test_database_url, truncate_all

pytest_plugins = ["tests.support.services"]  # the redis_prefix and stream fixtures


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return test_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
async def migrated(database_url: str) -> AsyncIterator[str]:
    await reset_schema(database_url)
    yield database_url
    await drop_database(database_url)


@pytest.fixture
async def clean_db(migrated: str) -> str:
    await truncate_all(migrated)
    return migrated


@pytest.fixture
def settings(clean_db: str) -> Settings:
    # The response cache is off here: tests write rows behind the service's back (factories)
    # and read them at once; tests/api/test_response_cache.py turns it on.
    return replace(Settings(), database_url=clean_db, sweeper_enabled=False,
                   mutation_rate_limit_per_minute=100_000, login_rate_limit_per_minute=100_000,
                   response_cache_ttl_seconds=0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="session")
def fast_hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(fast=True)


@pytest.fixture
async def app(settings: Settings, clock: ManualClock,
              fast_hasher: Argon2PasswordHasher) -> AsyncIterator[Any]:
    application = create_app(settings, clock=clock, password_hasher=fast_hasher)
    yield application
    await application.state.runtime.db.dispose()


@pytest.fixture
async def gql(app: Any) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture
def runtime(app: Any) -> Any:
    return app.state.runtime


@pytest.fixture
def statements(runtime: Any) -> Any:
    """The statement counter of the app's database; reset() before the operation to count."""
    return runtime.db.statements


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path
