"""Protecting the service (docs/rules.md): the schema's extensions, and the one place where
exceptions become top-level error codes.

Codes in `errors[].extensions.code`: QUERY_REJECTED (limits, and any document that does not
parse or validate: nothing ran), UNAUTHENTICATED, FORBIDDEN (a role may not use a query field),
RATE_LIMITED, SERVICE_UNAVAILABLE (the database is locked past its timeout, read-only,
unreachable or out of connections: nothing was committed, `extensions.retryAfterSeconds` says
when to repeat the request; docs/rules.md, "Database faults and provider outages"), INTERNAL
(unexpected fault: the message is masked as "Unexpected error.", the error carries
`extensions.requestId`, and the fault is logged with that request id).

The limits live in schema/limits.py, the mutation rate limit in schema/rate_limit.py, the
operation metrics in adapters/metrics.py. When introspection is off, field, argument,
type and enum-value suggestions ("Did you mean ...?") are removed from every message, not only
the field suggestions strawberry's `disable_field_suggestions` removes.
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from domain.errors import AuthenticationRequired, PermissionDenied, ServiceUnavailable
from adapters.metrics import OperationMetrics
from schema.amounts import AmountWarnings
from schema.document_cache import DocumentCache
from schema.limits import QUERY_REJECTED, QueryLimits
from schema.rate_limit import MutationRateLimit, RateLimited
from schema.sanitize import StripNul
from settings import Settings

__all__ = ["ErrorCodes", "QueryRejected", "RateLimited", "protection_extensions"]

log = logging.getLogger("marketplace.errors")


class QueryRejected(Exception):
    """A document over a protection limit."""


_CODES: dict[type[BaseException], str] = {
    AuthenticationRequired: "UNAUTHENTICATED",
    PermissionDenied: "FORBIDDEN",
    RateLimited: "RATE_LIMITED",
    QueryRejected: QUERY_REJECTED,
}
# Raised on by strawberry to the HTTP view, which answers them with a 400.
_FOR_THE_VIEW = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
_SUGGESTION = re.compile(r"\s*Did you mean\b.*", re.DOTALL)


class ErrorCodes(SchemaExtension):
    """Gives every top-level error an `extensions.code`; masks unexpected faults."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except _FOR_THE_VIEW:
            raise
        except Exception as exc:
            # An exception escaping a hook: strawberry turns it into the answer after this hook
            # has exited, so it is coded (and masked when unexpected) here and raised on.
            error = exc if isinstance(exc, GraphQLError) else GraphQLError(
                str(exc), original_error=exc)
            coded = self._coded(error)
            if coded is exc:
                raise
            raise coded from exc
        self._code_all(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # WebSocket operations: each result is sent before `on_operation` ends.
        self._code_all(result)
        yield

    def _code_all(self, result: Any) -> None:
        if result is not None and getattr(result, "errors", None):
            result.errors = [self._coded(e) for e in result.errors]

    def _request_id(self) -> str | None:
        context: Any = self.execution_context.context
        return getattr(context, "request_id", None)

    def _message(self, message: str) -> str:
        if self.execution_context.schema.config.disable_field_suggestions:
            return _SUGGESTION.sub("", message)
        return message

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        code = (error.extensions or {}).get("code")
        if isinstance(original, RateLimited) and not code:  # raised by a resolver (login)
            error.extensions = {**(error.extensions or {}),
                                "retryAfterSeconds": max(1, math.ceil(original.retry_after))}
        for exc_type, mapped in _CODES.items():
            if isinstance(original, exc_type):
                return _with_code(error, mapped, message=str(original) or error.message)
        if original is None or isinstance(original, GraphQLError):
            if code:
                return _with_code(error, str(code), self._message(error.message))
            if error.path is None:
                # Refused before execution: parse and validation errors (limits included) come
                # without an original error, variable coercion errors with graphql-core's.
                return _with_code(error, QUERY_REJECTED, self._message(error.message))
        elif isinstance(original, _FOR_THE_VIEW):
            # The transport's refusals (operation type not allowed, unknown operation name).
            return _with_code(error, QUERY_REJECTED, error.message)
        request_id = self._request_id()
        fault = self._unavailable(original)
        if fault is not None:
            log.warning("service unavailable (request %s) at %s: %s", request_id, error.path,
                        fault.reason)
            error = _with_code(error, SERVICE_UNAVAILABLE, "The service is temporarily "
                               f"unavailable; retry in {fault.retry_after_seconds} s.")
            error.extensions = {**(error.extensions or {}), "requestId": request_id,
                                "retryAfterSeconds": fault.retry_after_seconds}
            return error
        log.error("unexpected error (request %s) at %s: %s", request_id, error.path,
                  error.message, exc_info=original and (type(original), original,
                                                        original.__traceback__))
        return GraphQLError(
            "Unexpected error.", nodes=error.nodes, source=error.source,
            positions=error.positions, path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )


    def _unavailable(self, original: BaseException | None) -> ServiceUnavailable | None:
        if isinstance(original, ServiceUnavailable):
            return original
        if original is None:
            return None
        runtime = getattr(self.execution_context.context, "runtime", None)
        return runtime.unavailable(original) if runtime is not None else None


def _with_code(error: GraphQLError, code: str, message: str | None = None) -> GraphQLError:
    # In place: the error keeps its class and original error, which transports look at (the
    # WebSocket handler closes the socket on a syntax error, as graphql-transport-ws says).
    error.message = message or error.message
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


def protection_extensions(settings: Settings) -> list[Any]:
    """The schema's extension factories (a fresh instance per operation), outermost first.
    No extension has a per-field `resolve` hook: every hook runs once per operation."""
    documents = DocumentCache(settings.document_cache_size)  # one per schema
    extensions: list[Any] = [
        OperationMetrics,  # times and counts every operation, rejected ones included
        ErrorCodes,
        AmountWarnings,  # figures past the amount ceiling: answered, flagged in `errors`
        lambda: QueryLimits(settings, documents),
        MutationRateLimit,
        StripNul,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return extensions
