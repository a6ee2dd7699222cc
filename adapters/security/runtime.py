"""What the security adapters use of the app's runtime (schema/context.py's `Runtime` is the
one implementation), declared here so this package does not import the schema layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Awaitable, Callable, Protocol, TypeVar

if TYPE_CHECKING:
    from adapters.security.account_check import AccountStates
    from adapters.security.oidc import OidcVerifier
    from adapters.security.passwords import Argon2PasswordHasher
    from adapters.security.tokens import TokenIssuer
    from domain.clock import Clock
    from persistence.db import Database
    from persistence.uow import SqlUnitOfWork
    from settings import Settings

T = TypeVar("T")


class Runtime(Protocol):
    @property
    def settings(self) -> "Settings": ...

    @property
    def db(self) -> "Database": ...

    @property
    def clock(self) -> "Clock": ...

    @property
    def tokens(self) -> "TokenIssuer": ...

    @property
    def passwords(self) -> "Argon2PasswordHasher": ...

    @property
    def oidc(self) -> "OidcVerifier | None": ...

    @property
    def account_states(self) -> "AccountStates": ...

    async def transaction(self, use_case: Callable[["SqlUnitOfWork"], Awaitable[T]]) -> T: ...
