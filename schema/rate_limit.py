"""Rate limit on mutations (design.md, "Protecting the service"): per signed-in user, per client
address when anonymous (or when the token is bad), `settings.mutation_rate_limit_per_minute`
mutations in any sliding minute (RATE_LIMIT_PER_MINUTE; 0 or less turns the limit off). Past it
the operation is answered with one top-level error, `extensions.code = "RATE_LIMITED"` and
`extensions.retryAfterSeconds`, and nothing runs.

Each root field of a mutation operation counts as one mutation (an operation with 30 aliased
`addToCart` fields costs 30, as 30 separate requests would), and every operation of a batched
request counts on its own. An operation whose cost does not fit in what is left of the window
is refused whole.

The window is kept in this process's memory (a sliding log of timestamps per key, read from
the injected clock so tests can move time). With several server processes or hosts, each
applies its own window, so the effective limit is the per-process limit times the number of
processes; a shared store (e.g. Redis, with a sorted set or a GCRA token bucket per key) is the
step for multi-host deployments. Behind a reverse proxy the client address is the proxy's unless
the proxy is named in TRUSTED_PROXIES (app.py): X-Forwarded-For is honoured from those only.
"""
from __future__ import annotations

import math
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from domain.clock import Clock
from domain.errors import AuthenticationRequired
from schema.limits import refuse_execution

WINDOW_SECONDS = 60.0
RUNTIME_KEY = "mutation_rate_limiter"


class RateLimited(Exception):
    """Too many mutations from one user or address in the current window."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SlidingWindowLimiter:
    """At most `limit` hits per key in any `window` seconds of the clock."""

    SWEEP_EVERY = 1000  # calls between sweeps of keys whose hits have all expired

    def __init__(self, limit: int, clock: Clock, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.clock = clock
        self.window = window
        self._hits: dict[str, deque[float]] = {}
        self._calls = 0

    def hit(self, key: str, cost: int = 1) -> float | None:
        """Record `cost` hits for `key` and answer None, or, when they do not fit, record
        nothing and answer the seconds until they would.

        No await happens between the check and the record, so concurrent requests on one event
        loop cannot both take the last slot."""
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


def limiter_for(runtime: Any) -> SlidingWindowLimiter:
    """The limiter of this app (one per Runtime, so tests and apps never share windows)."""
    limiter = runtime.extras.get(RUNTIME_KEY)
    if limiter is None:
        limiter = SlidingWindowLimiter(runtime.settings.mutation_rate_limit_per_minute,
                                       runtime.clock)
        runtime.extras[RUNTIME_KEY] = limiter
    return limiter  # type: ignore[no-any-return]


def _root_field_count(selection_set: SelectionSetNode, fragments: dict[str, Any],
                      seen: frozenset[str] = frozenset()) -> int:
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += selection.name.value != "__typename"
        elif isinstance(selection, InlineFragmentNode):
            count += _root_field_count(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                count += _root_field_count(fragments[name].selection_set, fragments,
                                           seen | {name})
    return count


class MutationRateLimit(SchemaExtension):
    """Counts mutations per user (or address) and refuses those past the limit, before any
    resolver runs. An async hook: this schema is executed with `await schema.execute(...)`
    (HTTP) and `schema.stream(...)` (WebSocket), never `execute_sync`."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        runtime = getattr(context.context, "runtime", None)
        if (
            context.result is None
            and runtime is not None
            and runtime.settings.mutation_rate_limit_per_minute > 0
            and context.operation_type is OperationType.MUTATION
        ):
            limiter = limiter_for(runtime)
            retry_after = limiter.hit(await self._key(context.context), self._cost())
            if retry_after is not None:
                seconds = max(1, math.ceil(retry_after))
                exc = RateLimited(f"Too many mutations: at most {limiter.limit} a minute. "
                                  f"Retry in {seconds} s.", retry_after)
                refuse_execution(context, [GraphQLError(
                    str(exc), original_error=exc,
                    extensions={"code": "RATE_LIMITED", "retryAfterSeconds": seconds})])
        yield

    def _cost(self) -> int:
        document = self.execution_context.graphql_document
        assert document is not None
        operation = get_operation_ast(document, self.execution_context.operation_name)
        if operation is None:
            return 1
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        return max(1, _root_field_count(operation.selection_set, fragments))

    @staticmethod
    async def _key(context: Any) -> str:
        try:
            viewer = await context.viewer()
        except AuthenticationRequired:
            viewer = None  # a bad token buys no window of its own: count the address
        if viewer is not None:
            return f"user:{viewer.user_id}"
        return f"ip:{context.client_ip}"
