"""What a use-case entry point gets from the API besides its plain arguments: who is calling,
the request's loaders, the units of work and the few settings it needs (docs/architecture.md,
"The seam between schema and resolvers"). schema/ builds one per field from the request
context; tests can build one by hand."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, Protocol, TypeVar

from dataloaders import Loaders
from dataloaders.queries import check_first
from domain.checkout.services import Policy
from domain.errors import AuthenticationRequired, PermissionDenied
from domain.identity.viewer import Viewer
from domain.ports import UnitOfWork
from resolvers.read_ports import ReadUnitOfWork

T = TypeVar("T")


class QueryRejected(ValueError):
    """A query refused as asked (a report range that ends before it starts...): a top-level
    QUERY_REJECTED error, where the contract's answer has no userErrors."""


class UnitsOfWork(Protocol):
    """Runs one use case in one unit of work (schema/context.py's Runtime implements it)."""

    async def transaction(self, use_case: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """In one write transaction, retried as a whole on serialization failures."""
        ...

    async def read(self, use_case: Callable[[ReadUnitOfWork], Awaitable[T]]) -> T:
        """On a read-only snapshot that never commits."""
        ...


@dataclass(frozen=True)
class UseCaseSettings:
    """The settings use cases of the API read (settings.py names them)."""

    max_page_size: int
    low_stock_threshold: int
    cart_hold_seconds: int
    public_base_url: str
    checkout_policy: Policy  # cart hold, session lifetime, tax rates


@dataclass(frozen=True)
class Caller:
    """`identify()` gives the signed-in viewer, None when anonymous, and raises
    AuthenticationRequired for a token that is present but invalid."""

    identify: Callable[[], Awaitable[Viewer | None]]
    loaders: Loaders
    units: UnitsOfWork
    settings: UseCaseSettings

    async def viewer(self) -> Viewer | None:
        return await self.identify()

    async def browsing_viewer(self) -> Viewer | None:
        """For public fields: a present but invalid token counts as anonymous."""
        try:
            return await self.identify()
        except AuthenticationRequired:
            return None

    async def require(self, *roles: str) -> Viewer:
        """The signed-in viewer (UNAUTHENTICATED otherwise), optionally of one of `roles`
        (FORBIDDEN otherwise): both top-level errors."""
        viewer = await self.identify()
        if viewer is None:
            raise AuthenticationRequired("Sign in to use this field.")
        if roles and viewer.account_type not in roles:
            raise PermissionDenied(f"Only {' or '.join(roles)} accounts may use this field.")
        return viewer

    def page_size(self, first: Optional[int]) -> int:
        """`first` checked against the maximum page size (InvalidPageSize otherwise)."""
        return check_first(first, self.settings.max_page_size)
