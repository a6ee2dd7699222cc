"""Rate-limit windows: in this process's memory, or in Redis shared by every process.

Both answer the same question the same way (docs/rules.md, "Events out and shared state"):
at most `limit` hits per key in any sliding `window` of seconds, read from the injected clock.
`acquire(key, cost)` records `cost` hits and answers None, or, when they do not fit, records
nothing and answers the seconds until they would.

- `SlidingWindowLimiter`: a log of timestamps per key in this process (the default; with
  several processes each applies its own window).
- `RedisWindowLimiter` (REDIS_URL set): the same log as a sorted set per key in Redis, checked
  and recorded by one Lua script, so the check and the record are atomic across processes and
  hosts: one budget for all of them. Keys are `<REDIS_KEY_PREFIX>ratelimit:<name>:<key>` and
  expire one window after their last hit.
- Redis unreachable or failing: fail open to this process's own window (the limit then holds
  per process, as without Redis), with a warning in the log (at most one per RETRY_SECONDS)
  and `rate_limit_store_errors_total` in /metrics; Redis is tried again RETRY_SECONDS later.
  A rate limit is a protection, not a business invariant: refusing every mutation of the
  service because a cache is down would turn a Redis outage into a full outage.
"""
from __future__ import annotations

from dataclasses import dataclass

import hashlib
import logging
import time
import uuid
from collections import deque
from typing import Any, Protocol

from domain.clock import Clock

log = logging.getLogger("marketplace.rate_limit")
WINDOW_SECONDS = 60.0
RETRY_SECONDS = 5.0
MUTATIONS = "mutation_rate_limiter"
LOGINS = "login_rate_limiter"


class Limiter(Protocol):
    limit: int

    async def acquire(self, key: str, cost: int = 1) -> float | None: ...


class SlidingWindowLimiter:
    """At most `limit` hits per key in any `window` seconds of the clock, in this process."""

    SWEEP_EVERY = 1000  # calls between sweeps of keys whose hits have all expired

    def __init__(self, limit: int, clock: Clock, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.clock = clock
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._calls = 0

    async def acquire(self, key: str, cost: int = 1) -> float | None:
        return self.hit(key, cost)

    def hit(self, key: str, cost: int = 1) -> float | None:
        """No await happens between the check and the record, so concurrent requests on one
        event loop cannot both take the last slot."""
        now = self.clock.now().timestamp()
        self._calls += 1
        if self._calls % self.SWEEP_EVERY == 0:
            self._sweep(now)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) + cost <= self.limit:
            hits.extend([now] * cost)
            return None
        if cost > self.limit or not hits:
            return self.window
        # The hit whose expiry makes room for `cost` more.
        index = min(len(hits) + cost - self.limit - 1, len(hits) - 1)
        return max(hits[index] + self.window - now, 0.0)

    def _sweep(self, now: float) -> None:
        cutoff = now - self.window
        stale = [key for key, hits in self._hits.items() if not hits or hits[-1] <= cutoff]
        for key in stale:
            del self._hits[key]


# KEYS[1]: the key's sorted set (member: a unique hit id, score: its time).
# ARGV: now, window, limit, cost, a unique id for this call. Returns "-1" when recorded, else
# the seconds until `cost` hits would fit (as a string: Redis truncates Lua numbers).
SLIDING_WINDOW_LUA = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost <= limit then
  for i = 1, cost do
    redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i)
  end
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
  return '-1'
end
if cost > limit or count == 0 then
  return tostring(window)
end
local index = count + cost - limit - 1
local entry = redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')
return tostring(math.max(tonumber(entry[2]) + window - now, 0))
"""


class RedisWindowLimiter:
    """The sliding window of SlidingWindowLimiter, kept in Redis (see the module docstring)."""

    def __init__(self, redis: Any, *, name: str, prefix: str, limit: int, clock: Clock,
                 metrics: Any = None, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self.name = name
        self._prefix = f"{prefix}ratelimit:{name}:"
        self._script = redis.register_script(SLIDING_WINDOW_LUA)
        self._clock = clock
        self._metrics = metrics
        self._local = SlidingWindowLimiter(limit, clock, window)
        self._skip_until = 0.0
        self._last_warning = 0.0

    async def acquire(self, key: str, cost: int = 1) -> float | None:
        if time.monotonic() < self._skip_until:
            return self._local.hit(key, cost)
        now = self._clock.now().timestamp()
        try:
            answer = await self._script(keys=[self._prefix + key], args=[
                repr(now), repr(self.window), self.limit, cost, uuid.uuid4().hex])
        except Exception as exc:  # noqa: BLE001 - connection, timeout and server errors alike
            self._failed(exc)
            return self._local.hit(key, cost)
        retry_after = float(answer)
        return None if retry_after < 0 else retry_after

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._skip_until = now + RETRY_SECONDS
        if self._metrics is not None:
            self._metrics.rate_limit_store_errors.labels(self.name).inc()
        if now - self._last_warning >= RETRY_SECONDS:
            self._last_warning = now
            log.warning("rate limit store (Redis) failed, limiting per process for %.0f s: %s",
                        RETRY_SECONDS, exc)


def build_limiter(settings: Any, clock: Clock, *, name: str, limit: int, redis: Any = None,
                  metrics: Any = None) -> Limiter:
    if redis is None:
        return SlidingWindowLimiter(limit, clock)
    return RedisWindowLimiter(redis, name=name, prefix=settings.redis_key_prefix, limit=limit,
                              clock=clock, metrics=metrics)


@dataclass(frozen=True)
class Limiters:
    """The app's two limiters: mutations per viewer, sign-in attempts per address and email."""

    mutations: Limiter
    logins: Limiter


def build_limiters(settings: Any, clock: Clock, *, redis: Any = None,
                   metrics: Any = None) -> Limiters:
    """In process, or shared through Redis when the app has a client (app.py builds them)."""
    return Limiters(
        mutations=build_limiter(settings, clock, name="mutation", redis=redis, metrics=metrics,
                                limit=settings.mutation_rate_limit_per_minute),
        logins=build_limiter(settings, clock, name="login", redis=redis, metrics=metrics,
                             limit=settings.login_rate_limit_per_minute))


def limiter_of(runtime: Any, which: str) -> Limiter:
    """The app's limiter (`MUTATIONS` or `LOGINS`)."""
    limiters: Limiters = runtime.limiters
    return limiters.mutations if which == MUTATIONS else limiters.logins


def login_key(client_ip: str, email: str) -> str:
    """Per client address and email; the email is hashed (no addresses in Redis keys)."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"{client_ip}:{digest}"
