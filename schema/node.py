"""`node(id:)`: any object the caller may see, by its opaque ID.

Each feature module registers, with `@node_resolver("Product")`, an async function
(info, pk) -> its schema object, or None when it does not exist or the caller may not see
it; the type named in the ID picks the function."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

import strawberry
from strawberry.types import Info

from domain.ids import decode_id
from schema.common import Node

NodeResolver = Callable[[Info, int], Awaitable[Any]]
NODE_RESOLVERS: dict[str, NodeResolver] = {}


def node_resolver(type_name: str) -> Callable[[NodeResolver], NodeResolver]:
    def wrap(fn: NodeResolver) -> NodeResolver:
        NODE_RESOLVERS[type_name] = fn
        return fn

    return wrap


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Optional[Node]:
        decoded = decode_id(str(id))
        if decoded is None:
            return None
        resolver = NODE_RESOLVERS.get(decoded[0])
        return await resolver(info, decoded[1]) if resolver else None
