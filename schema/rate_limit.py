"""Rate limit on mutations (docs/rules.md, "Protecting the service"): per signed-in user, per client
address when anonymous (or when the token is bad), `settings.mutation_rate_limit_per_minute`
mutations in any sliding minute (RATE_LIMIT_PER_MINUTE; 0 or less turns the limit off). Past it
the operation is answered with one top-level error, `extensions.code = "RATE_LIMITED"` and
`extensions.retryAfterSeconds`, and nothing runs.

Each root field of a mutation operation counts as one mutation (an operation with 30 aliased
`addToCart` fields costs 30, as 30 separate requests would), and every operation of a batched
request counts on its own. An operation whose cost does not fit in what is left of the window
is refused whole.

The window (a sliding log of timestamps per key, read from the injected clock so tests can move
time) lives in this process's memory, or, with REDIS_URL set, in Redis: one budget across every
server process and host (adapters/security/rate_limits.py). Behind a reverse proxy the client
address is the proxy's unless uvicorn is told to trust the proxy's X-Forwarded-For
(`--proxy-headers --forwarded-allow-ips`).
"""
from __future__ import annotations

import math
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
from strawberry.types.execution import ExecutionContext
from strawberry.types.graphql import OperationType

from domain.errors import AuthenticationRequired, RateLimited
from schema.limits import refuse_execution
from adapters.security.rate_limits import MUTATIONS, Limiter, SlidingWindowLimiter, limiter_of

__all__ = ["RateLimited", "refuse_over_mutation_limit", "SlidingWindowLimiter", "limiter_for"]


def limiter_for(runtime: Any) -> Limiter:
    """The limiter of this app (one per Runtime, so tests and apps never share windows)."""
    return limiter_of(runtime, MUTATIONS)


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


async def refuse_over_mutation_limit(context: ExecutionContext) -> None:
    """Counts a mutation operation per user (or address) and, past the limit, answers it with
    RATE_LIMITED before any resolver runs (called by the protection extension,
    schema/protection.py, just before execution)."""
    runtime = getattr(context.context, "runtime", None)
    if (
        context.result is not None
        or runtime is None
        or runtime.settings.mutation_rate_limit_per_minute <= 0
        or context.operation_type is not OperationType.MUTATION
    ):
        return
    limiter = limiter_for(runtime)
    retry_after = await limiter.acquire(await _key(context.context), _cost(context))
    if retry_after is not None:
        seconds = max(1, math.ceil(retry_after))
        exc = RateLimited(f"Too many mutations: at most {limiter.limit} a minute. "
                          f"Retry in {seconds} s.", retry_after)
        refuse_execution(context, [GraphQLError(
            str(exc), original_error=exc,
            extensions={"code": "RATE_LIMITED", "retryAfterSeconds": seconds})])


def _cost(context: ExecutionContext) -> int:
    document = context.graphql_document
    assert document is not None
    operation = get_operation_ast(document, context.operation_name)
    if operation is None:
        return 1
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    return max(1, _root_field_count(operation.selection_set, fragments))


async def _key(context: Any) -> str:
    try:
        viewer = await context.viewer()
    except AuthenticationRequired:
        viewer = None  # a bad token buys no window of its own: count the address
    if viewer is not None:
        return f"user:{viewer.user_id}"
    return f"ip:{context.client_ip}"
