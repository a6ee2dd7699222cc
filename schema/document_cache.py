"""Work done once per document, not once per request (docs/architecture.md, "Where a
request's time goes"): the parsed document, and the outcome of the limit checks and of
graphql-core's validation. Both are keyed by the document's exact text and bounded (LRU,
settings.document_cache_size); one cache belongs to one schema, so its settings and
validation rules never change under a cached entry."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError

from adapters.lru import LRU

@dataclass(frozen=True)
class Checked:
    """What the limits and validation found in one document."""

    shape: Any  # schema.limits.DocumentShape
    cost: int
    errors: tuple[GraphQLError, ...]

    def fresh_errors(self) -> list[GraphQLError]:
        """Copies: the error path codes and rewrites errors in place (schema/protection.py)."""
        return [GraphQLError(e.message, e.nodes, e.source, e.positions, e.path,
                             e.original_error, dict(e.extensions or {})) for e in self.errors]


class DocumentCache:
    def __init__(self, maxsize: int) -> None:
        self.documents: LRU[str, DocumentNode] = LRU(maxsize)
        self.checks: LRU[str, Checked] = LRU(maxsize)
