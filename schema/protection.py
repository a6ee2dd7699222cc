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
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from domain.errors import AuthenticationRequired, PermissionDenied, ServiceUnavailable
from adapters.metrics import metrics_of, operation_labels
from schema.amounts import flush_amount_warnings
from schema.document_cache import DocumentCache
from schema.limits import QUERY_REJECTED, QueryLimits
from schema.rate_limit import RateLimited, refuse_over_mutation_limit
from schema.sanitize import strip_nul_from
from settings import Settings

__all__ = ["Protection", "QueryRejected", "RateLimited", "protection_extensions"]

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


class Protection(SchemaExtension):
    """The service's protections, as ONE extension: strawberry's extension runner costs a few
    microseconds per extension and hook, which every operation paid seven times over
    (docs/architecture.md, "Where a request's time goes"). Each hook runs the steps in the
    order the separate extensions ran, outermost first: operation metrics, error codes,
    amount warnings, query limits (and cost), mutation rate limit, NUL stripping, and the
    introspection switch. No per-field `resolve` hook."""

    def __init__(self, settings: Settings, documents: DocumentCache) -> None:
        self.settings = settings
        self.limits = QueryLimits(settings, documents)
        self.started = 0.0
        self.failed = True

    # --- the steps, as plain calls (schema/operation.py runs HTTP operations with them)
    def begin(self) -> None:
        """Before the operation: the limits' parse option and the introspection switch."""
        context = self.execution_context
        self.limits.execution_context = context
        self.started, self.failed = time.perf_counter(), True
        if not self.settings.introspection:
            context.validation_rules = (*context.validation_rules,
                                        NoSchemaIntrospectionCustomRule)
        context.parse_options["max_tokens"] = self.settings.max_tokens

    def coded_exception(self, exc: Exception) -> Exception:
        """An exception escaping the operation, coded (and masked when unexpected): strawberry
        turns it into the answer. The transport's refusals (_FOR_THE_VIEW) are left as they
        are."""
        if isinstance(exc, _FOR_THE_VIEW):
            return exc
        error = exc if isinstance(exc, GraphQLError) else GraphQLError(
            str(exc), original_error=exc)
        return self._coded(error)

    def ended(self) -> None:
        """After the operation ran to its result: every error coded."""
        result = self.execution_context.result
        self._code_all(result)
        self.failed = bool(result is None or getattr(result, "errors", None))

    def observe(self) -> None:
        """Whatever happened: the operation's metrics (subscriptions counted, not timed)."""
        context = self.execution_context
        metrics = metrics_of(getattr(context.context, "runtime", None))
        if metrics is None:
            return
        name, operation_type = operation_labels(context.graphql_document,
                                                context.operation_name)
        seconds = None if operation_type == "subscription" else (
            time.perf_counter() - self.started)
        metrics.observe_operation(name, operation_type, seconds, self.failed)

    async def before_execute(self) -> None:
        self.limits.before_execute()
        await refuse_over_mutation_limit(self.execution_context)
        strip_nul_from(self.execution_context)

    def after_execute(self) -> None:
        flush_amount_warnings(self.execution_context.context, self.execution_context.result)

    # --- strawberry's hooks (WebSocket operations, and schemas with further extensions)
    def on_operation(self) -> Iterator[None]:
        self.begin()
        try:
            try:
                yield
            except Exception as exc:
                coded = self.coded_exception(exc)
                if coded is exc:
                    raise
                raise coded from exc
            self.ended()
        finally:
            self.observe()

    def on_parse(self) -> Iterator[None]:
        self.limits.before_parse()
        yield
        self.limits.after_parse()

    def on_validate(self) -> Iterator[None]:
        self.limits.validate()
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        await self.before_execute()
        yield
        self.after_execute()

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # WebSocket operations: each result is sent before `on_operation` ends.
        self._code_all(result)
        flush_amount_warnings(self.execution_context.context, result)
        yield

    def get_results(self) -> dict[str, Any]:
        return self.limits.get_results()

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
    """The schema's extension factories (a fresh instance per operation): one, Protection."""
    documents = DocumentCache(settings.document_cache_size)  # one per schema
    return [lambda: Protection(settings, documents)]
