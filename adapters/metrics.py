"""Prometheus metrics, served at /metrics in the Prometheus text format (or OpenMetrics when the
scraper asks for it).

- `graphql_operations_total`, `graphql_operation_errors_total` and the histogram
  `graphql_operation_duration_seconds`, labelled by `operation_name` ("anonymous" when the
  operation has no name) and `operation_type` (query, mutation, subscription; "unknown" when
  the document did not parse). Measured by the protection extension (schema/protection.py),
  rejected operations included. Subscriptions are counted but not timed (they live as long as the
  client listens).
- `http_requests_total` (method, path, status) and `http_request_duration_seconds` (method,
  path), measured around the whole app by web/edge.py's `HttpEdge`.
- `rate_limit_store_errors_total` (limiter): checks that failed open because Redis failed;
  `event_relay_published_total`, `event_relay_failures_total`, and the relay's lag:
  `event_relay_lag_events` (unpublished outbox events) and `event_relay_lag_seconds` (age of
  the oldest), set by the relay after each pass (ops/relay.py).
- `payment_provider_breaker_state` (state: closed, open, half_open; 1 for the current one) and
  `payment_provider_breaker_transitions_total` (from_state, to_state): the payment provider's
  circuit breaker (adapters/payments/breaker.py).

Label values that come from clients are bounded: operation names must be names of an operation
of the document, at most MAX_OPERATION_NAMES distinct ones are kept (later ones count as
"other"), paths are the app's route paths (anything unrouted, CORS preflights included, is
"other") and methods the HTTP ones.

`app.build_runtime` makes one `Metrics` (with its own CollectorRegistry) per app and keeps it
in `runtime.metrics`, so apps built side by side (tests) never share counters. Each
server process has its own registry: with several uvicorn workers, a scrape sees the worker
that answered it (prometheus-client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR, is the step
for aggregating workers).
"""
from __future__ import annotations

import hmac
import re
from typing import Any

from graphql import get_operation_ast
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response

MAX_OPERATION_NAMES = 500
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_OPERATION_LABELS = ("operation_name", "operation_type")


class Metrics:
    """The instruments of one app, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self._operation_names: set[str] = set()
        # The labelled children, resolved once per label set instead of per request.
        self._operation_children: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._http_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.operations = Counter(
            "graphql_operations", "GraphQL operations answered.", _OPERATION_LABELS,
            registry=self.registry)
        self.operation_errors = Counter(
            "graphql_operation_errors", "GraphQL operations answered with top-level errors.",
            _OPERATION_LABELS, registry=self.registry)
        self.operation_seconds = Histogram(
            "graphql_operation_duration_seconds", "Time to answer a GraphQL operation.",
            _OPERATION_LABELS, registry=self.registry)
        self.http_requests = Counter(
            "http_requests", "HTTP requests answered.", ("method", "path", "status"),
            registry=self.registry)
        self.http_seconds = Histogram(
            "http_request_duration_seconds", "Time to answer an HTTP request.",
            ("method", "path"), registry=self.registry)
        # --- shared state and events out (docs/rules.md, "Events out and shared state")
        self.rate_limit_store_errors = Counter(
            "rate_limit_store_errors", "Rate-limit checks that failed open to the process's "
            "own window because Redis failed.", ("limiter",), registry=self.registry)
        self.relay_published = Counter(
            "event_relay_published", "Outbox events this process published to the broker.",
            registry=self.registry)
        self.relay_failures = Counter(
            "event_relay_failures", "Relay passes stopped by a broker error (retried).",
            registry=self.registry)
        self.relay_lag_events = Gauge(
            "event_relay_lag_events", "Committed outbox events not yet published.",
            registry=self.registry)
        self.relay_lag_seconds = Gauge(
            "event_relay_lag_seconds", "Age of the oldest unpublished outbox event (0: none).",
            registry=self.registry)
        # The response cache of anonymous catalogue reads (docs/rules.md, "Response cache"):
        # its hits are answered without running an operation, so graphql_operations omits them.
        self.response_cache = Counter(
            "graphql_response_cache", "Cacheable GraphQL requests, by result (hit or miss).",
            ("result",), registry=self.registry)
        # The payment provider's circuit breaker (adapters/payments/breaker.py): 1 for its
        # current state.
        self.breaker_state = Gauge(
            "payment_provider_breaker_state", "The payment provider circuit breaker's state "
            "(1 = current).", ("state",), registry=self.registry)
        self.breaker_transitions = Counter(
            "payment_provider_breaker_transitions", "Circuit breaker state changes.",
            ("from_state", "to_state"), registry=self.registry)

    def operation_name_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name in self._operation_names:
            return name
        if not _NAME.match(name) or len(self._operation_names) >= MAX_OPERATION_NAMES:
            return "other"
        self._operation_names.add(name)
        return name

    def observe_operation(self, name: str | None, operation_type: str, seconds: float | None,
                          failed: bool) -> None:
        labels = (self.operation_name_label(name), operation_type)
        children = self._operation_children.get(labels)
        if children is None:  # bounded: names are capped, types are four
            children = self._operation_children[labels] = (
                self.operations.labels(*labels), self.operation_seconds.labels(*labels))
        children[0].inc()
        if failed:  # a series of its own only once an operation failed
            self.operation_errors.labels(*labels).inc()
        if seconds is not None:
            children[1].observe(seconds)

    def observe_http(self, method: str, path: str, status: int, seconds: float) -> None:
        key = (method if method in _METHODS else "other", path, status)
        children = self._http_children.get(key)
        if children is None:  # bounded: methods, route paths and statuses are few
            children = self._http_children[key] = (
                self.http_requests.labels(key[0], path, str(status)),
                self.http_seconds.labels(key[0], path))
        children[0].inc()
        children[1].observe(seconds)

    def observe_breaker(self, previous: str | None, state: str,
                        states: tuple[str, ...]) -> None:
        for name in states:
            self.breaker_state.labels(name).set(1 if name == state else 0)
        if previous is not None:
            self.breaker_transitions.labels(previous, state).inc()

    def render(self, accept: str | None) -> Response:
        encoder, content_type = choose_encoder(accept or "")
        return Response(encoder(self.registry), media_type=content_type)


def metrics_of(runtime: Any) -> Metrics | None:
    return getattr(runtime, "metrics", None)


def operation_labels(document: Any, operation_name: str | None) -> tuple[str | None, str]:
    """(operation name, operation type) of the operation that ran; (None, "unknown") when the
    document did not parse or names no such operation."""
    if document is None:
        return None, "unknown"
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None, "unknown"
    name = operation.name.value if operation.name else None
    return name, operation.operation.value  # query, mutation or subscription


def metrics_endpoint(metrics: Metrics, token: str | None = None) -> Any:
    """/metrics; with a token (METRICS_TOKEN) only for `Authorization: Bearer <token>`, else
    401. create_app leaves the route out in production when no token is set."""
    expected = f"Bearer {token}".encode() if token else None

    async def endpoint(request: Request) -> Response:
        if expected is not None and not hmac.compare_digest(
                request.headers.get("authorization", "").encode("latin-1"), expected):
            return Response("metrics need the bearer token\n", status_code=401,
                            headers={"WWW-Authenticate": "Bearer"}, media_type="text/plain")
        return metrics.render(request.headers.get("accept"))

    return endpoint
