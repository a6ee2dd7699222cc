"""Integration tests drive use cases and repositories without the GraphQL layer."""
from __future__ import annotations

from typing import Any, AsyncIterator

import pytest

from app import build_runtime


@pytest.fixture
async def runtime(settings: Any, clock: Any, fast_hasher: Any) -> AsyncIterator[Any]:
    built = build_runtime(settings, clock=clock, password_hasher=fast_hasher)
    yield built
    await built.db.dispose()
