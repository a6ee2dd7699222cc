"""`node(id:)`: any object the caller may see, by its opaque ID."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers.node import resolve_node
from schema.types.common import Node


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Optional[Node]:
        return await resolve_node(info, str(id))
