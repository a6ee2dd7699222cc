"""Relay connections over keyset pages (persistence/reads/pagination.py), for every list:
page-size and cursor errors become top-level errors (QUERY_REJECTED, INVALID_CURSOR), and
totalCount runs only when a client selects it."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, TypeVar

from graphql import GraphQLError
from strawberry.types import Info

from persistence.reads.pagination import InvalidCursor, InvalidPageSize, Page, check_first
from resolvers.common import ctx
from schema.types.common import PageInfo

T = TypeVar("T")


def page_size(info: Info, first: Optional[int]) -> int:
    """`first`, checked against the maximum page size (QUERY_REJECTED otherwise)."""
    try:
        return check_first(first, ctx(info).runtime.settings.max_page_size)
    except InvalidPageSize as exc:
        raise GraphQLError(str(exc), extensions={"code": "QUERY_REJECTED"}) from exc


async def keyset_page(info: Info, fetch: Callable[[Any, int, Optional[str]],
                                                  Awaitable[Page[T]]],
                      first: Optional[int], after: Optional[str]) -> Page[T]:
    """One page from `fetch(conn, size, after)` on the request's read connection."""
    size = page_size(info, first)
    try:
        return await ctx(info).reads.run(lambda conn: fetch(conn, size, after))
    except InvalidCursor as exc:
        raise GraphQLError(str(exc), extensions={"code": "INVALID_CURSOR"}) from exc


def counter(info: Info, count: Callable[[Any], Awaitable[int]]
            ) -> Callable[[], Awaitable[int]]:
    """totalCount, run on demand on the request's read connection."""
    reads = ctx(info).reads

    async def run() -> int:
        return await reads.run(count)

    return run


def page_info(page: Page[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, has_previous_page=page.has_previous_page,
                    start_cursor=page.start_cursor, end_cursor=page.end_cursor)
