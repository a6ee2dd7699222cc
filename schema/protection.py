"""Protecting the service (design.md): depth, alias and token limits, page size, masked
faults, and the one place where exceptions become top-level error codes.

Codes in `errors[].extensions.code`: QUERY_REJECTED (limits, before any resolver runs),
UNAUTHENTICATED, FORBIDDEN (a role may not use a query field), RATE_LIMITED, INTERNAL
(unexpected fault; message masked, logged with the request id).
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from domain.errors import AuthenticationRequired, PermissionDenied
from settings import Settings

log = logging.getLogger("marketplace.errors")


class RateLimited(Exception):
    """Too many mutations from one user or address in the current window."""


class QueryRejected(Exception):
    """A document over a protection limit."""


_CODES: dict[type[BaseException], str] = {
    AuthenticationRequired: "UNAUTHENTICATED",
    PermissionDenied: "FORBIDDEN",
    RateLimited: "RATE_LIMITED",
    QueryRejected: "QUERY_REJECTED",
}


class ErrorCodes(SchemaExtension):
    """Gives every top-level error an `extensions.code`; masks unexpected faults."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self._coded(e) for e in result.errors]

    def _request_id(self) -> str | None:
        context: Any = self.execution_context.context
        return getattr(context, "request_id", None)

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            # Parse and validation errors (limits included) come without an original error.
            code = (error.extensions or {}).get("code") or "QUERY_REJECTED"
            return _with_code(error, str(code))
        for exc_type, code in _CODES.items():
            if isinstance(original, exc_type):
                return _with_code(error, code, message=str(original) or error.message)
        if isinstance(original, GraphQLError) and (original.extensions or {}).get("code"):
            return error
        request_id = self._request_id()
        log.error("unexpected error (request %s) at %s", request_id, error.path,
                  exc_info=(type(original), original, original.__traceback__))
        return GraphQLError(
            "Unexpected error.", nodes=error.nodes, source=error.source,
            positions=error.positions, path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )


def _with_code(error: GraphQLError, code: str, message: str | None = None) -> GraphQLError:
    return GraphQLError(
        message or error.message, nodes=error.nodes, source=error.source,
        positions=error.positions, path=error.path,
        extensions={**(error.extensions or {}), "code": code},
    )


def protection_extensions(settings: Settings) -> list[Any]:
    """Extension factories (a fresh instance per operation)."""
    extensions: list[Any] = [
        ErrorCodes,
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return extensions
