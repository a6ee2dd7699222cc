"""How schema calls resolvers (docs/architecture.md, "The seam between schema and
resolvers"): the `Caller` a use case gets, the one place where a business error becomes
`userErrors`, and the translation of pagination errors into top-level errors."""
from __future__ import annotations

import contextlib
from typing import Any, Awaitable, Callable, Iterator, TypeVar

from graphql import GraphQLError
from strawberry.types import Info

from dataloaders.queries import InvalidCursor, InvalidPageSize, Page
from domain.errors import DomainError, ErrorList
from resolvers.caller import Caller, QueryRejected
from schema.common import PageInfo, UserError
from schema.context import Context

P = TypeVar("P")


def context(info: Info) -> Context:
    return info.context  # type: ignore[no-any-return]


def caller(info: Info) -> Caller:
    """The caller of a use case: the request's viewer, loaders and units of work."""
    ctx = context(info)
    return Caller(identify=ctx.viewer, loaders=ctx.loaders, units=ctx.runtime,
                  settings=ctx.runtime.use_case_settings)


def to_user_errors(exc: DomainError | ErrorList) -> list[UserError]:
    errors = exc.errors if isinstance(exc, ErrorList) else [exc]
    return [UserError.from_domain(e) for e in errors]


async def mutate(info: Info, payload: Callable[..., P],
                 run: Callable[[], Awaitable[dict[str, Any]]]) -> P:
    """Run a mutation's use case; the dict it returns (schema types) fills the payload. A
    DomainError (or ErrorList) means nothing was committed: the payload carries only
    `userErrors`. After a change, later fields must not see cached rows: fresh loaders, primed
    with the rows the change wrote when the dict gives a "prime" callable for them
    (docs/rules.md, "Statement budgets of mutations")."""
    try:
        fields = await run()
    except (DomainError, ErrorList) as exc:
        return payload(user_errors=to_user_errors(exc))
    context(info).reset_loaders()
    prime = fields.pop("prime", None)
    if prime is not None:
        prime(context(info).loaders)
    return payload(user_errors=fields.pop("user_errors", []), **fields)


@contextlib.contextmanager
def query_errors() -> Iterator[None]:
    """A page size out of range (or another query refused as asked) is QUERY_REJECTED, a
    cursor this list did not give out is INVALID_CURSOR: top-level errors, as every list
    answers them."""
    try:
        yield
    except (InvalidPageSize, QueryRejected) as exc:
        raise GraphQLError(str(exc), extensions={"code": "QUERY_REJECTED"}) from exc
    except InvalidCursor as exc:
        raise GraphQLError(str(exc), extensions={"code": "INVALID_CURSOR"}) from exc


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, has_previous_page=page.has_previous_page,
                    start_cursor=page.start_cursor, end_cursor=page.end_cursor)
