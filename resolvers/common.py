"""Helpers every resolver uses: the context, the viewer, and the one place where business
errors become `userErrors`."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, TypeVar

from strawberry.types import Info

from domain.identity.viewer import Viewer
from schema.context import Context
from domain.errors import DomainError, ErrorList
from schema.common import UserError

P = TypeVar("P")


def ctx(info: Info) -> Context:
    return info.context  # type: ignore[no-any-return]


async def viewer(info: Info, *roles: str) -> Viewer:
    """The signed-in user (UNAUTHENTICATED otherwise), optionally restricted to roles."""
    return await ctx(info).require_viewer(*roles)


def to_user_errors(exc: DomainError | ErrorList) -> list[UserError]:
    errors = exc.errors if isinstance(exc, ErrorList) else [exc]
    return [UserError.from_domain(e) for e in errors]


async def mutate(
    info: Info,
    payload: Callable[..., P],
    run: Callable[[], Awaitable[dict[str, Any]]],
) -> P:
    """Run a mutation's use case; its result dict fills the payload. A DomainError (or
    ErrorList) means nothing was committed: the payload carries only `userErrors`."""
    try:
        fields = await run()
    except (DomainError, ErrorList) as exc:
        return payload(user_errors=to_user_errors(exc))
    ctx(info).reset_loaders()
    return payload(user_errors=fields.pop("user_errors", []), **fields)
