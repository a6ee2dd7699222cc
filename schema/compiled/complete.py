"""Completers of the compiled path (docs/architecture.md, "How a query is executed"): what
graphql-core's complete_value does per return type, decided once per field instead of per
value. Only the success case: a value graphql-core would turn into a field error raises here,
and the executor re-runs the operation the standard way."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import GraphQLAbstractType, GraphQLLeafType, GraphQLObjectType, Undefined
from graphql.pyutils import Path, is_iterable
from graphql.type.scalars import (serialize_boolean, serialize_id, serialize_int,
                                  serialize_string)

if TYPE_CHECKING:
    from schema.compiled.plan import Completer, FieldPlan


# Path(prev, key, typename) without the named tuple's Python-level __new__ (a path per object)
new_path = tuple.__new__


class Invalid(Exception):
    """A value graphql-core would report as a field error."""


def _absent(value: Any) -> bool:
    """None for a null; raises a resolved exception as graphql-core does."""
    if isinstance(value, Exception):
        raise value
    return value is None or value is Undefined


def non_null(inner: Completer) -> Completer:
    def complete(ex: Any, field: FieldPlan, value: Any, path: Any, info: Any) -> Any:
        completed = inner(ex, field, value, path, info)
        if completed is None:
            raise Invalid("null for a non-null field")
        return completed

    return complete


# Built-in scalars whose serializer gives back a value of this exact Python type unchanged
# (graphql-core's serialize_string / serialize_id / serialize_boolean, and serialize_int
# within 32 bits): such a value skips the serializer call.
# The generated runners (runner.py) write the same tests out.
UNCHANGED: dict[Any, type] = {serialize_string: str, serialize_id: str, serialize_boolean: bool}
INT32_MIN, INT32_MAX = -2147483648, 2147483647


def non_null_leaf(type_: GraphQLLeafType) -> Completer:
    """non_null(leaf(type_)) in one call, with the fast path of `UNCHANGED` and small ints."""
    coerce = type_.coerce_output_value
    same = UNCHANGED.get(coerce)  # type: ignore[arg-type]
    ints = coerce is serialize_int

    def complete(ex: Any, field: FieldPlan, value: Any, path: Any, info: Any) -> Any:
        kind = type(value)
        if kind is same or (ints and kind is int and INT32_MIN <= value <= INT32_MAX):
            return value
        if value is None or value is Undefined:
            raise Invalid("null for a non-null field")
        return _coerced(coerce, value)

    return complete


def _coerced(coerce: Any, value: Any) -> Any:
    if isinstance(value, Exception):
        raise value
    coerced = coerce(value)
    if coerced is None or coerced is Undefined:
        raise Invalid("leaf coerced to null")
    return coerced


def leaf(type_: GraphQLLeafType) -> Completer:
    coerce = type_.coerce_output_value

    def complete(ex: Any, field: FieldPlan, value: Any, path: Any, info: Any) -> Any:
        if _absent(value):
            return None
        return _coerced(coerce, value)

    return complete


def list_of(inner: Completer) -> Completer:
    def complete(ex: Any, field: FieldPlan, value: Any, path: Any, info: Any) -> Any:
        if _absent(value):
            return None
        if not is_iterable(value) or ex.is_async_iterable(value):
            raise Invalid("not a list")
        results: list[Any] = []
        is_awaitable = ex.is_awaitable
        needs_path = field.needs_path
        for index, item in enumerate(value):
            item_path = new_path(Path, (path, index, None)) if needs_path else None
            if is_awaitable(item):
                results.append(None)
                ex.complete_later(item, inner, results, index, field, item_path, info)
            else:
                results.append(inner(ex, field, item, item_path, info))
        return results

    return complete


def list_of_objects(type_: GraphQLObjectType, non_null_items: bool) -> Completer:
    """list_of(non_null(object_of(type_))) (or of nullable items) in one call per list: the
    items' checks of the three completers, then each item's object runner."""
    is_type_of = type_.is_type_of
    inner = non_null(object_of(type_)) if non_null_items else object_of(type_)

    def complete(ex: Any, field: FieldPlan, value: Any, path: Any, info: Any) -> Any:
        if _absent(value):
            return None
        if not is_iterable(value) or ex.is_async_iterable(value):
            raise Invalid("not a list")
        run = ex.subplan(field, type_).run
        is_awaitable = ex.is_awaitable
        results: list[Any] = []
        for index, item in enumerate(value):
            item_path = new_path(Path, (path, index, None))
            if is_awaitable(item):
                results.append(None)
                ex.complete_later(item, inner, results, index, field, item_path, info)
                continue
            if item is None or item is Undefined:
                if non_null_items:
                    raise Invalid("null for a non-null field")
                results.append(None)
                continue
            if isinstance(item, Exception):
                raise item
            if is_type_of is not None:
                _check_type(is_type_of, ex, item, info)
            results.append(run(ex, item, item_path))
        return results

    return complete


def close_unstarted_awaitable(awaitable: Any) -> None:
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()


def object_of(type_: GraphQLObjectType) -> Completer:
    is_type_of = type_.is_type_of

    def complete(ex: Any, field: FieldPlan, value: Any, path: Any, info: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise value
        if is_type_of is not None:
            _check_type(is_type_of, ex, value, info)
        return ex.subplan(field, type_).run(ex, value, path)  # its generated runner

    return complete


def _check_type(is_type_of: Any, ex: Any, value: Any, info: Any) -> None:
    """graphql-core's is_type_of check of an object value (the success case only)."""
    matches = is_type_of(value, info)
    if ex.is_awaitable(matches):
        close_unstarted_awaitable(matches)
        raise Invalid("asynchronous is_type_of")
    if not matches:
        raise Invalid("is_type_of refused the value")


def abstract(type_: GraphQLAbstractType) -> Completer:
    objects: dict[GraphQLObjectType, Completer] = {}

    def complete(ex: Any, field: FieldPlan, value: Any, path: Any, info: Any) -> Any:
        if _absent(value):
            return None
        resolve_type = type_.resolve_type or ex.type_resolver
        name = resolve_type(value, info, type_)
        if ex.is_awaitable(name):
            close_unstarted_awaitable(name)
            raise Invalid("asynchronous resolve_type")
        runtime = ex.ensure_valid_runtime_type(name, type_, field.details, info, value)
        found = objects.get(runtime)
        if found is None:
            found = objects[runtime] = object_of(runtime)
        return found(ex, field, value, path, info)

    return complete
