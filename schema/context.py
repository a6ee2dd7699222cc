"""What every resolver receives in `info.context`: the viewer, the loaders, the runtime.

`Runtime` holds the long-lived parts `create_app` builds once (settings, database, clock, token
issuer, password hasher, providers). `Context` is made per HTTP request and per WebSocket
operation: it owns that request's dataloaders and resolves the viewer from the bearer token.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeVar

from domain.clock import Clock
from domain.errors import AuthenticationRequired, PermissionDenied, ServiceUnavailable
from domain.identity.viewer import Viewer
from persistence.db import Database
from persistence.uow import SqlUnitOfWork, run_in_transaction, run_read

if TYPE_CHECKING:
    from dataloaders import Loaders
    from adapters.security.oidc import OidcVerifier
    from adapters.security.passwords import Argon2PasswordHasher
    from adapters.security.tokens import TokenIssuer
    from settings import Settings

T = TypeVar("T")


@dataclass
class Runtime:
    settings: "Settings"
    db: Database
    clock: Clock
    tokens: "TokenIssuer"
    passwords: "Argon2PasswordHasher"
    oidc: "OidcVerifier | None" = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def bus(self) -> Any:
        """This process's live event bus (adapters/live/bus.py), fed by adapters/live/feed.py."""
        bus = self.extras.get("bus")
        if bus is None:
            from adapters.live.bus import EventBus

            bus = self.extras["bus"] = EventBus()
        return bus

    @property
    def payment_provider(self) -> Any:
        """The provider given to create_app, else the one the settings name (built once)."""
        provider = self.extras.get("payment_provider")
        if provider is None:
            from adapters.payments import build_provider
            from adapters.payments.sql_intents import SqlIntentStore

            provider = self.extras["payment_provider"] = build_provider(
                self.settings, self.clock, store=SqlIntentStore(self.db))
        return provider

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
        """A read-only use case on the read engine (a consistent snapshot, never commits)."""
        return await run_read(
            lambda: SqlUnitOfWork(self.db, self.clock, read_only=True), use_case)


class Context:
    def __init__(self, runtime: Runtime, *, authorization: str | None, client_ip: str,
                 request_id: str | None = None) -> None:
        self.runtime = runtime
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

            self._loaders = Loaders(self.runtime.db, self.runtime.clock)
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
