"""What every field receives in `info.context`: the viewer, the loaders, the runtime.

`Runtime` holds the long-lived parts app.py builds once (settings, database, clock, token
issuer, password hasher, payment provider, live bus, limiters, ...); it constructs none.
`Context` is made per HTTP request and per WebSocket operation: it owns that request's loaders
and resolves the viewer from the bearer token.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeVar

from domain.checkout.services import Policy
from domain.clock import Clock
from domain.errors import AuthenticationRequired, PermissionDenied, ServiceUnavailable
from domain.identity.viewer import Viewer
from persistence.db import Database
from persistence.request_reads import RequestReads, current_reads
from persistence.uow import SqlUnitOfWork, run_in_transaction, run_read, run_request_read
from resolvers.caller import UseCaseSettings

if TYPE_CHECKING:
    from adapters.live.bus import EventBus
    from adapters.metrics import Metrics
    from adapters.payments.offline_store import IntentStore
    from adapters.response_store import ResponseCache
    from adapters.security.account_check import AccountStates
    from adapters.security.rate_limits import Limiters
    from domain.payments.provider import PaymentProvider
    from domain.identity.ports import AuthServices
    from dataloaders import Loaders
    from adapters.security.oidc import OidcVerifier
    from adapters.security.passwords import Argon2PasswordHasher
    from adapters.security.tokens import TokenIssuer
    from settings import Settings

T = TypeVar("T")


@dataclass
class Runtime:
    """Built once by app.py (`build_runtime`, the composition root); nothing here constructs an
    adapter."""

    settings: "Settings"
    db: Database
    clock: Clock
    tokens: "TokenIssuer"
    passwords: "Argon2PasswordHasher"
    bus: "EventBus"  # this process's live events (adapters/live), fed by the outbox feed
    payment_provider: "PaymentProvider"  # behind the circuit breaker (docs/rules.md)
    intents: "IntentStore"  # the offline provider's intents, shared through the database
    metrics: "Metrics"  # one registry per app
    limiters: "Limiters"  # mutations and sign-in attempts (in process, or in Redis)
    checkout_policy: Policy  # cart hold, checkout session lifetime, tax rates
    account_states: "AccountStates"  # the per-request account check's cache
    oidc: "OidcVerifier | None" = None
    redis: Any = None  # the Redis client of REDIS_URL, or None
    event_publisher: Any = None  # the relay's broker; None: JetStream from the settings
    response_cache: "ResponseCache | None" = None  # anonymous catalogue reads; None: off

    @cached_property
    def use_case_settings(self) -> UseCaseSettings:
        """What resolvers/ read of the settings (built once)."""
        s = self.settings
        return UseCaseSettings(max_page_size=s.max_page_size,
                               low_stock_threshold=s.low_stock_threshold,
                               cart_hold_seconds=s.cart_hold_seconds,
                               public_base_url=s.public_base_url,
                               checkout_policy=self.checkout_policy)

    @cached_property
    def auth(self) -> "AuthServices":
        """The password hasher, the token issuer and the refresh-token lifetime (sign-in)."""
        from adapters.security.identity import auth_services

        return auth_services(self)

    def unavailable(self, exc: BaseException) -> ServiceUnavailable | None:
        """`exc` as a retryable ServiceUnavailable when it is a database fault that means "not
        now" (persistence/faults.py), else None."""
        from persistence.faults import unavailable

        return unavailable(exc, self.db.lock_timeout_seconds)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, self.clock)

    async def transaction(self, use_case: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
        result = await run_in_transaction(self.uow, use_case)
        self.bus.nudge()  # committed: the live feed reads the outbox now (adapters/live/feed.py)
        return result

    async def read(self, use_case: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
        """A read-only use case on the read engine, never commits: on the running request's
        read connection when there is one (persistence/request_reads.py), else on its own."""
        reads = current_reads.get()
        if reads is not None:
            return await run_request_read(
                reads, lambda conn: SqlUnitOfWork.on_connection(self.db, self.clock, conn),
                use_case)
        return await run_read(
            lambda: SqlUnitOfWork(self.db, self.clock, read_only=True), use_case)


class Context:
    def __init__(self, runtime: Runtime, *, authorization: str | None, client_ip: str,
                 request_id: str | None = None, reads: RequestReads | None = None) -> None:
        self.runtime = runtime
        # The request's reads (one read connection, persistence/request_reads.py); whoever
        # made the context closes them when the response is done.
        self.reads = reads if reads is not None else RequestReads(runtime.db, hold=False)
        self.authorization = authorization
        self.client_ip = client_ip
        self.request_id = request_id or uuid.uuid4().hex[:16]
        self.connection_params: dict[str, Any] | None = None
        self._viewer: Viewer | None = None
        self._viewer_resolved = False
        self._loaders: "Loaders | None" = None

    # --- loaders: one set per request (per operation on a WebSocket)
    @property
    def loaders(self) -> "Loaders":
        if self._loaders is None:
            from dataloaders import Loaders

            self._loaders = Loaders(self.reads, self.runtime.clock)
        return self._loaders

    def reset_loaders(self) -> None:
        """After a mutation changed data, later fields must not see cached rows."""
        self._loaders = None

    # --- identity
    def _bearer(self) -> str | None:
        header = self.authorization
        if header is None and self.connection_params:
            header = self.connection_params.get("Authorization") or self.connection_params.get(
                "authorization"
            )
        if not header:
            return None
        scheme, _, token = str(header).partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationRequired("Authorization must be 'Bearer <token>'.")
        return token.strip()

    @property
    def shared_viewer(self) -> Viewer | None:
        """The viewer once resolved (None before): schema/shared_events.py groups by it."""
        return self._viewer if self._viewer_resolved else None

    async def viewer(self) -> Viewer | None:
        """The signed-in user, None when anonymous. A token that is present but invalid
        (expired, forged, wrong audience...) raises AuthenticationRequired."""
        if not self._viewer_resolved:
            token = self._bearer()
            if token is not None:
                from adapters.security.identity import resolve_viewer

                self._viewer = await resolve_viewer(self.runtime, token)
            self._viewer_resolved = True
        return self._viewer

    async def require_viewer(self, *roles: str) -> Viewer:
        viewer = await self.viewer()
        if viewer is None:
            raise AuthenticationRequired("Sign in to use this field.")
        if roles and viewer.account_type not in roles:
            raise PermissionDenied(f"Only {' or '.join(roles)} accounts may use this field.")
        return viewer
