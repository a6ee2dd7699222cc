"""The composition root: builds the engine, the adapters, the schema and the Starlette app.

`build_runtime(settings, ...)` builds every long-lived part once (schema.context.Runtime);
`create_app(settings, *, clock=None, payment_provider=None, password_hasher=None)` adds the
schema and the routes. Nothing else constructs a concrete adapter; tests pass fakes here
instead of patching.
"""
from __future__ import annotations

import contextlib
import gc
import logging
from typing import Any, AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from schema.context import Runtime
from domain.clock import Clock, SystemClock
from web.carrier import carrier_webhook
from web.graphiql import STATIC_URL, static_files
from web.edge import GraphQLFirst, HttpEdge
from web.errors import http_error
from web.limits import BodyLimit
from web.offline_action import offline_action
from web.webhooks import stripe_webhook
from web.graphql_view import MarketplaceGraphQL, browser_origins
from adapters.metrics import Metrics, metrics_endpoint
from adapters.payments.breaker import BreakerProvider, BreakerState, CircuitBreaker
from persistence.db import create_database
from persistence.readiness import database_write
from schema.build import build_schema
from adapters.live.bus import EventBus
from adapters.payments import build_provider
from adapters.payments.sql_intents import SqlIntentStore
from adapters.security.account_check import AccountStates
from adapters.response_store import build_response_cache
from adapters.security.passwords import Argon2PasswordHasher
from adapters.security.rate_limits import build_limiters
from domain.checkout.services import Policy
from ops.posture import check_production
from adapters.security.tokens import TokenIssuer
from settings import Settings

log = logging.getLogger("marketplace")


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    password_hasher: Argon2PasswordHasher | None = None,
    payment_provider: Any = None,
    redis: Any = None,
) -> Runtime:
    """The long-lived parts, each built once: database, clock, token issuer, password hasher,
    OIDC verifier, metrics, live bus, rate limiters, account states, the response cache, the
    offline provider's intents and the payment provider (the given one, else the one the
    settings name) behind its circuit breaker, and the checkout policy. `redis`: the app's
    client of REDIS_URL."""
    clock = clock or SystemClock()
    db = create_database(settings.database_url, echo=settings.log_sql,
                         lock_timeout_seconds=settings.db_lock_timeout_seconds,
                         pool_size=settings.db_pool_size)
    metrics = Metrics()  # one registry per app
    intents = SqlIntentStore(db)
    provider = payment_provider if payment_provider is not None else build_provider(
        settings, clock, store=intents)
    oidc = None
    if settings.oidc_issuer and settings.oidc_jwks_url:
        from adapters.security.oidc import OidcVerifier

        oidc = OidcVerifier(settings)
    return Runtime(
        settings=settings, db=db, clock=clock, tokens=TokenIssuer(settings),
        passwords=password_hasher or Argon2PasswordHasher(), bus=EventBus(),
        payment_provider=guarded_provider(provider, settings, metrics), intents=intents,
        metrics=metrics, limiters=build_limiters(settings, clock, redis=redis, metrics=metrics),
        checkout_policy=Policy(hold_seconds=settings.cart_hold_seconds,
                               session_seconds=settings.checkout_session_seconds,
                               tax_rates=settings.tax_rates),
        oidc=oidc, redis=redis,
        account_states=AccountStates(settings, db, clock, redis),
        response_cache=build_response_cache(settings, redis, metrics.response_cache))


def build_redis(settings: Settings) -> Any:
    """The Redis client of REDIS_URL (shared rate-limit windows), or None. Short timeouts: a
    Redis that does not answer makes the limiters fall back to their process's own window."""
    if not settings.redis_url:
        return None
    from redis.asyncio import Redis

    return Redis.from_url(settings.redis_url, socket_connect_timeout=1.0, socket_timeout=1.0,
                          decode_responses=True)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    payment_provider: Any = None,
    password_hasher: Argon2PasswordHasher | None = None,
) -> Starlette:
    settings = settings or Settings.from_env()
    check_production(settings)  # `uvicorn app:app` too: never serve production on defaults
    redis = build_redis(settings)
    runtime = build_runtime(settings, clock=clock, password_hasher=password_hasher,
                            payment_provider=payment_provider, redis=redis)
    db, metrics = runtime.db, runtime.metrics

    graphql = MarketplaceGraphQL(build_schema(settings), runtime)

    async def healthz(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def readyz(_: Request) -> JSONResponse:
        """Ready when a write transaction can begin now (persistence/readiness.py); the body
        names each check's result, e.g. {"ready": false, "checks": {"database_write":
        "locked"}} with 503."""
        checks = {"database_write": await database_write(
            db, settings.readiness_timeout_seconds)}
        ready = all(result == "ok" for result in checks.values())
        return JSONResponse({"ready": ready, "checks": checks},
                            status_code=200 if ready else 503)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        from ops.background import start_background, stop_background

        freeze_startup_heap()
        tasks = start_background(runtime)
        try:
            yield
        finally:
            await stop_background(tasks)
            if redis is not None:
                await redis.aclose()
            await runtime.account_states.close()
            await db.dispose()

    graphql_route = Route("/graphql", graphql, methods=["GET", "POST"])
    routes = [
        graphql_route,
        WebSocketRoute("/graphql", graphql),
        Route("/webhooks/stripe", stripe_webhook, methods=["POST"]),
        Route("/webhooks/carrier", carrier_webhook, methods=["POST"]),
        Route("/payments/offline/action/{intent}", offline_action, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    if settings.graphiql:
        routes.append(Mount(STATIC_URL, app=static_files(), name="graphiql-static"))
    if settings.metrics_token or not settings.is_production:  # closed in production without
        routes.append(Route("/metrics", metrics_endpoint(metrics, settings.metrics_token)))
    middleware = [
        # Request ids, masked faults and HTTP metrics in one layer (web/edge.py).
        Middleware(HttpEdge, metrics=metrics),
        Middleware(
            CORSMiddleware,
            # The same origins the WebSocket handshake accepts; none: same-origin only.
            allow_origins=browser_origins(settings),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
        ),
        # Bodies and WebSocket messages counted as they arrive (web/limits.py).
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        # Innermost: GraphQL over HTTP straight to its view, past the router (web/edge.py).
        Middleware(GraphQLFirst, route=graphql_route, on_http_error=http_error),
    ]
    if settings.trusted_proxies:
        # X-Forwarded-For / -Proto only from the proxies named in TRUSTED_PROXIES (the client
        # address then is the one the proxy saw); from anyone else they are ignored.
        middleware.insert(0, Middleware(ProxyHeadersMiddleware,
                                        trusted_hosts=list(settings.trusted_proxies)))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={StarletteHTTPException: http_error})
    app.state.runtime = runtime
    return app


def guarded_provider(provider: Any, settings: Settings, metrics: Metrics) -> BreakerProvider:
    """Whatever provider was built, behind the circuit breaker (docs/rules.md, "Database faults
    and provider outages"), whose state and transitions go to /metrics."""
    states = tuple(state.value for state in BreakerState)
    metrics.observe_breaker(None, BreakerState.CLOSED.value, states)
    breaker = CircuitBreaker(
        failures=settings.payment_breaker_failures,
        cooldown_seconds=settings.payment_breaker_cooldown_seconds,
        on_change=lambda old, new: metrics.observe_breaker(old.value, new.value, states))
    return BreakerProvider(provider, breaker, settings.payment_provider_timeout_seconds)


# Allocations (net of frees) of container objects between two young-generation collections;
# Python's default is 700 (docs/architecture.md, "Memory: no reference cycles per request").
YOUNG_COLLECTION_THRESHOLD = 50_000


def freeze_startup_heap() -> None:
    """Move everything built at start-up (schema, engines, modules) out of the garbage
    collector's reach (gc.freeze): full collections then scan only per-request objects.
    Measured with bench/cart_add_line.py: cartAddLine p99 76 ms -> 18 ms, p50 unchanged.

    A request makes no reference cycles on its way (the test in tests/api/
    test_no_reference_cycles.py holds it), so its objects are freed as soon as it ends and
    the collector finds nothing to free; with the default threshold of 700 it still ran a
    young collection over the in-flight requests' objects about once per catalogue page.
    The young generation is collected after 50,000 net allocations instead."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def _app_from_env() -> Starlette:
    logging.basicConfig(level=logging.INFO)
    return create_app()


class _LazyApp:
    """`app:app` for uvicorn, built on first use so importing this module has no side effects."""

    _app: Starlette | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = _app_from_env()
        await self._app(scope, receive, send)


app = _LazyApp()
