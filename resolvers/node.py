"""Dispatch of `node(id:)` by the type named in the opaque ID.

Each feature registers, in NODE_RESOLVERS, an async function (info, pk) -> the schema object,
or None when it does not exist or the caller may not see it."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from strawberry.types import Info

from domain.ids import decode_id

NodeResolver = Callable[[Info, int], Awaitable[Any]]
NODE_RESOLVERS: dict[str, NodeResolver] = {}


def node_resolver(type_name: str) -> Callable[[NodeResolver], NodeResolver]:
    def wrap(fn: NodeResolver) -> NodeResolver:
        NODE_RESOLVERS[type_name] = fn
        return fn

    return wrap


async def resolve_node(info: Info, value: str) -> Any:
    decoded = decode_id(value)
    if decoded is None:
        return None
    resolver = NODE_RESOLVERS.get(decoded[0])
    return await resolver(info, decoded[1]) if resolver else None
