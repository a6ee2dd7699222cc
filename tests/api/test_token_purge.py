"""The sweeper deletes refresh tokens once they have expired (and only then)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ops.sweep import sweep_all
from persistence.tables import refresh_tokens

REGISTER = """mutation { register(input: {email: "purge@example.com",
  password: "long-enough-password", name: "P"}) { refreshToken userErrors { code } } }"""


async def _tokens(runtime: Any) -> int:
    async with runtime.db.read_engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(refresh_tokens)))
                   .scalar_one())


async def test_expired_refresh_tokens_are_purged(gql: Any, runtime: Any, clock: Any) -> None:
    assert (await gql.data(REGISTER))["register"]["userErrors"] == []
    assert await _tokens(runtime) == 1
    clock.advance(days=29)
    assert (await sweep_all(runtime.transaction)).tokens_purged == 0
    clock.advance(days=2)  # past REFRESH_TOKEN_TTL_SECONDS (30 days)
    assert (await sweep_all(runtime.transaction)).tokens_purged == 1
    assert await _tokens(runtime) == 0
