"""The per-request account check behind every access token (domain/identity/access.py has the
rules; docs/rules.md, "Sessions and secrets").

Each request that presents a token reads the account's state (role, seller row, token
version, disabled, recently revoked refresh families) from a cache, and on a miss from the
database (one statement, persistence/reads/identity.account_state), keeping it for
ACCOUNT_CACHE_SECONDS:
- without REDIS_URL the cache is this process's memory (entries expire on the injected
  clock). A change made through this process is seen at once (the entry is dropped); one made
  through another process within ACCOUNT_CACHE_SECONDS;
- with REDIS_URL the cache is Redis (keys `<REDIS_KEY_PREFIX>account:<user id>`, expiring
  after ACCOUNT_CACHE_SECONDS), shared by every process: a change deletes the key, so every
  process sees it on its next request. A read that raced the change may put the old state
  back; it lives at most ACCOUNT_CACHE_SECONDS. When Redis fails, the state is read from the
  database (logged), never assumed.
Admin operations and refresh-token reuse call `forget(user_id)` after their commit.
bench/token_check.py measures what the check costs per request.
"""
from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from domain.errors import AuthenticationRequired
from domain.identity.access import acting_seller, revoked_since, session_problem
from domain.identity.models import AccountState
from persistence.reads.identity import account_state
from adapters.security.tokens import LEEWAY_SECONDS
from persistence.request_reads import read

if TYPE_CHECKING:
    from adapters.security.runtime import Runtime
    from domain.clock import Clock
    from persistence.db import Database
    from settings import Settings
    from domain.identity.viewer import Viewer

log = logging.getLogger("marketplace.sessions")

MAX_LOCAL_ENTRIES = 100_000
REDIS_TIMEOUT_SECONDS = 0.5


class StateCache(Protocol):
    async def get(self, user_id: int) -> tuple[bool, AccountState | None]:
        """(True, state) on a hit (state None: no such account), (False, None) on a miss."""

    async def put(self, user_id: int, state: AccountState | None) -> None: ...

    async def forget(self, user_id: int) -> None: ...

    async def close(self) -> None: ...


class LocalStateCache:
    """This process's memory; entries expire after `ttl` seconds of the clock."""

    def __init__(self, clock: Any, ttl: float) -> None:
        self.clock = clock
        self.ttl = ttl
        self._entries: dict[int, tuple[float, AccountState | None]] = {}

    async def get(self, user_id: int) -> tuple[bool, AccountState | None]:
        entry = self._entries.get(user_id)
        if entry is None or entry[0] <= self.clock.now().timestamp():
            return False, None
        return True, entry[1]

    async def put(self, user_id: int, state: AccountState | None) -> None:
        if len(self._entries) >= MAX_LOCAL_ENTRIES:  # bounded: drop the oldest entry
            self._entries.pop(next(iter(self._entries)))
        self._entries[user_id] = (self.clock.now().timestamp() + self.ttl, state)

    async def forget(self, user_id: int) -> None:
        self._entries.pop(user_id, None)

    async def close(self) -> None:
        self._entries.clear()


def _encode(state: AccountState | None) -> str:
    if state is None:
        return "null"
    return json.dumps({"t": state.account_type, "s": state.seller_id, "v": state.token_version,
                       "d": state.disabled, "f": sorted(state.revoked_families)})


def _decode(raw: bytes | str) -> AccountState | None:
    data = json.loads(raw)
    if data is None:
        return None
    return AccountState(account_type=data["t"], seller_id=data["s"], token_version=data["v"],
                        disabled=data["d"], revoked_families=frozenset(data["f"]))


class RedisStateCache:
    """Redis, shared by every process; keys expire after `ttl` seconds."""

    def __init__(self, client: Any, prefix: str, ttl: float, *, owned: bool = False) -> None:
        self.client = client  # the app's client (app.py builds it); closed here only if owned
        self.owned = owned
        self.prefix = prefix
        self.ttl_ms = max(1, int(ttl * 1000))

    def key(self, user_id: int) -> str:
        return f"{self.prefix}account:{user_id}"

    async def get(self, user_id: int) -> tuple[bool, AccountState | None]:
        from redis.exceptions import RedisError

        try:
            raw = await self.client.get(self.key(user_id))
        except (RedisError, OSError) as exc:
            log.warning("account cache unavailable, reading the database: %s", exc)
            return False, None
        if raw is None:
            return False, None
        try:
            return True, _decode(raw)
        except (ValueError, KeyError, TypeError):
            return False, None

    async def put(self, user_id: int, state: AccountState | None) -> None:
        from redis.exceptions import RedisError

        try:
            await self.client.set(self.key(user_id), _encode(state), px=self.ttl_ms)
        except (RedisError, OSError) as exc:
            log.warning("account cache unavailable: %s", exc)

    async def forget(self, user_id: int) -> None:
        from redis.exceptions import RedisError

        try:
            await self.client.delete(self.key(user_id))
        except (RedisError, OSError) as exc:  # the entry expires on its own
            log.error("could not drop the cached state of user %s: %s", user_id, exc)

    async def close(self) -> None:
        if self.owned:
            await self.client.aclose()


class AccountStates:
    """The cached account states of one app."""

    def __init__(self, settings: "Settings", db: "Database", clock: "Clock",
                 redis: Any = None) -> None:
        """`redis`: the app's client; None with REDIS_URL set makes a client of its own."""
        self.db = db
        self.clock = clock
        self.access_ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        self.cache: StateCache = LocalStateCache(clock, settings.account_cache_seconds)
        if settings.redis_url:
            client = redis
            owned = client is None
            if owned:  # a runtime without the app (commands): a client of its own
                from redis.asyncio import Redis

                client = Redis.from_url(settings.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS,
                                        socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
            self.cache = RedisStateCache(client, settings.redis_key_prefix,
                                         settings.account_cache_seconds, owned=owned)

    async def state(self, user_id: int) -> AccountState | None:
        hit, state = await self.cache.get(user_id)
        if hit:
            return state
        state = await self.load(user_id)
        await self.cache.put(user_id, state)
        return state

    async def load(self, user_id: int) -> AccountState | None:
        since = revoked_since(self.clock.now(), self.access_ttl,
                              timedelta(seconds=LEEWAY_SECONDS))
        return await read(self.db, lambda conn: account_state(conn, user_id, since))

    async def forget(self, user_id: int) -> None:
        await self.cache.forget(user_id)

    async def close(self) -> None:
        await self.cache.close()


def account_states(runtime: "Runtime") -> AccountStates:
    """The account states of this app (one per Runtime, so test apps never share them)."""
    return runtime.account_states


async def checked_viewer(runtime: "Runtime", user_id: int, *, token_version: int | None,
                         family: str | None) -> "Viewer":
    """The viewer a verified token stands for now; AuthenticationRequired when its account is
    gone or disabled or its session ended."""
    from domain.identity.viewer import Viewer

    state = await account_states(runtime).state(user_id)
    problem = session_problem(state, token_version=token_version, family=family)
    if problem is not None or state is None:
        raise AuthenticationRequired(problem)
    return Viewer(user_id=user_id, account_type=state.account_type,
                  seller_id=acting_seller(state))
