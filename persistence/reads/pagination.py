"""Keyset ("seek") pagination for Relay connections, reusable by any list.

An `Ordering` names a sort and its keys (SQL expressions, each ascending or descending, the
last one unique, e.g. the primary key). A page is fetched with `WHERE (keys) after (cursor
values)` in that order and `LIMIT first + 1` (the extra row only tells whether there is a next
page), so a page costs one statement whatever its depth, and rows inserted before the cursor
position never shift the next page (offsets would).

Cursors are opaque url-safe base64 of JSON {"o": <ordering name>, "k": [key values]};
datetimes travel as ISO 8601 with their zone. A cursor that does not decode, belongs to another
ordering or carries values of the wrong types raises InvalidCursor; a `first` below zero or
above the maximum raises InvalidPageSize. Resolvers turn both into top-level errors.

Usage:
    ordering = Ordering("NEWEST", (SortKey(t.c.created_at, True, datetime),
                                   SortKey(t.c.id, True, int)))
    page = await fetch_page(conn, select(t), ordering, first=20, after=cursor, item=to_domain)
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import datetime
from collections.abc import Sequence as SequenceABC
from typing import Any, Callable, Generic, Sequence, TypeVar, overload

from sqlalchemy import ColumnElement, Integer, Row, Select, and_, bindparam, or_, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.reads.direct import fetch_rows

T = TypeVar("T")
MAX_CURSOR_LENGTH = 2048


class InvalidCursor(ValueError):
    """The `after` cursor is not one this list gave out."""


class InvalidPageSize(ValueError):
    """`first` is negative or above the maximum page size."""


@dataclass(frozen=True)
class SortKey:
    expr: ColumnElement[Any]
    descending: bool = False
    kind: type = int  # int, str, float or datetime: how cursor values are checked


@dataclass(frozen=True)
class Ordering:
    name: str
    keys: tuple[SortKey, ...]

    def labels(self) -> list[str]:
        return [f"_sort{i}" for i in range(len(self.keys))]

    def columns(self) -> list[ColumnElement[Any]]:
        return [k.expr.label(label) for k, label in zip(self.keys, self.labels(), strict=True)]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [k.expr.desc() if k.descending else k.expr.asc() for k in self.keys]

    def after(self) -> ColumnElement[bool]:
        """Rows strictly after the row whose key values are bound to `after_params(values)`
        at execution (the statement is built once: `page_statement`)."""
        binds = [bindparam(name, type_=k.expr.type)
                 for k, name in zip(self.keys, self._after_names(), strict=True)]
        if len({k.descending for k in self.keys}) == 1:  # one row-value comparison
            left, right = tuple_(*(k.expr for k in self.keys)), tuple_(*binds)
            return left < right if self.keys[0].descending else left > right
        terms = []
        for i, key in enumerate(self.keys):
            ties = [self.keys[j].expr == binds[j] for j in range(i)]
            step = key.expr < binds[i] if key.descending else key.expr > binds[i]
            terms.append(and_(*ties, step))
        return or_(*terms)

    def after_params(self, values: Sequence[Any]) -> dict[str, Any]:
        return dict(zip(self._after_names(), values, strict=True))

    def _after_names(self) -> list[str]:
        return [f"_after{i}" for i in range(len(self.keys))]

    def encode(self, values: Sequence[Any]) -> str:
        plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
        raw = json.dumps({"o": self.name, "k": plain}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> list[Any]:
        try:
            if len(cursor) > MAX_CURSOR_LENGTH:
                raise ValueError("too long")
            raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("o") != self.name:
                raise ValueError("another ordering")
            values = data.get("k")
            if not isinstance(values, list) or len(values) != len(self.keys):
                raise ValueError("wrong keys")
            return [_checked(v, k.kind) for v, k in zip(values, self.keys, strict=True)]
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidCursor("The cursor is not valid for this list.") from exc


def _checked(value: Any, kind: type) -> Any:
    if kind is datetime:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
        if when is None or when.tzinfo is None:
            raise ValueError("bad datetime")
        return when
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError("bad float")
        return float(value)
    if kind is int and (isinstance(value, bool)
                        or isinstance(value, int) and not -2**31 <= value < 2**31):
        raise ValueError("bad int")  # keys are INTEGER columns (int4 on PostgreSQL)
    if not isinstance(value, kind):
        raise ValueError("bad value")
    return value


class Cursors(SequenceABC[str]):
    """A page's cursors, each encoded when first asked for: a list read without its edges'
    cursors (most catalogue pages) encodes none (docs/architecture.md, "The catalogue page's
    SQL path on PostgreSQL")."""

    __slots__ = ("_encode", "_keys", "_done")

    def __init__(self, encode: Callable[[Sequence[Any]], str],
                 keys: list[Sequence[Any]]) -> None:
        self._encode, self._keys = encode, keys
        self._done: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self._keys))[index]  # IndexError past the end; negative allowed
        found = self._done.get(index)
        if found is None:
            found = self._done[index] = self._encode(self._keys[index])
        return found


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def check_first(first: int | None, maximum: int, default: int = 20) -> int:
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise InvalidPageSize(f"`first` must be between 0 and {maximum}.")
    return first


PAGE_LIMIT = "_page_limit"


def page_statement(stmt: Select[Any], ordering: Ordering, *, after: bool) -> Select[Any]:
    """`stmt` (its filters) with the sort keys as its last columns, after the cursor (when
    `after`), in order, LIMIT bound at execution: build it once per query shape and hand it
    to `fetch_built_page` again and again (docs/architecture.md, "Where a request's time
    goes")."""
    stmt = stmt.add_columns(*ordering.columns())
    if after:
        stmt = stmt.where(ordering.after())
    return stmt.order_by(*ordering.order_by()).limit(bindparam(PAGE_LIMIT, type_=Integer))


async def fetch_page(conn: AsyncConnection, stmt: Select[Any], ordering: Ordering, *,
                     first: int, after: str | None, item: Callable[[Row[Any]], T]) -> Page[T]:
    """One statement: `stmt` (its filters) after the cursor, in order, first + 1 rows.
    hasPreviousPage is true when a cursor was given (Relay allows this approximation)."""
    built = page_statement(stmt, ordering, after=after is not None)
    values, params = _page_params(ordering, first, after)
    rows = (await conn.execute(built, params)).all()
    return _page(rows, ordering, first, values, item)


async def fetch_built_page(conn: AsyncConnection, built: Select[Any], ordering: Ordering, *,
                           first: int, after: str | None,
                           item: Callable[[Any], T]) -> Page[T]:
    """`fetch_page` with a statement from `page_statement` (with `after` iff a cursor), built
    once: it may go straight to the driver (persistence/reads/direct.py), so `item` maps a row
    by position."""
    values, params = _page_params(ordering, first, after)
    return _page(await fetch_rows(conn, built, params), ordering, first, values, item)


def _page_params(ordering: Ordering, first: int,
                 after: str | None) -> tuple[list[Any] | None, dict[str, Any]]:
    values = ordering.decode(after) if after is not None else None
    params = {PAGE_LIMIT: first + 1}
    if values is not None:
        params.update(ordering.after_params(values))
    return values, params


def _page(rows: Sequence[Any], ordering: Ordering, first: int, values: list[Any] | None,
          item: Callable[[Any], T]) -> Page[T]:
    page = rows[:first]
    keys = -len(ordering.keys)  # the sort keys are the last columns
    return Page(
        items=[item(row) for row in page],
        cursors=Cursors(ordering.encode, [row[keys:] for row in page]),
        has_next_page=len(rows) > first,
        has_previous_page=values is not None,
    )
