"""Reads never fail on an amount (docs/rules.md "Amount ceiling").

Money.minorUnits is GraphQL's 32-bit Int. A figure past it (a row stored before the ceiling
was enforced, or a sum over many orders such as a ledger balance) is answered clamped to the
Int range with the exact decimal in `amount`, and the response gets one LIMIT_EXCEEDED error
per such field, at its path, without nulling any data: a list of orders stays readable."""
from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.types import Info

from domain.money import MAX_AMOUNT, MIN_AMOUNT

_WARNINGS = "_amount_warnings"


def amount_over_ceiling(info: Info, minor: int) -> int:
    """Record the warning for this field; the clamped value to answer."""
    warnings = _warnings(info.context)
    warnings.append(GraphQLError(
        f"The amount {minor} minor units does not fit GraphQL's Int; minorUnits is clamped "
        "to the Int range, `amount` holds the exact figure.",
        path=info.path.as_list(),
        extensions={"code": "LIMIT_EXCEEDED", "minorUnits": str(minor)}))
    return max(MIN_AMOUNT, min(MAX_AMOUNT, minor))


def _warnings(context: Any) -> list[GraphQLError]:
    found = getattr(context, _WARNINGS, None)
    if found is None:
        found = []
        setattr(context, _WARNINGS, found)
    return found  # type: ignore[no-any-return]


def flush_amount_warnings(context: Any, result: Any) -> None:
    """Adds the LIMIT_EXCEEDED warnings recorded for this operation (or for this result of a
    WebSocket operation, each sent on its own) to the result's `errors`; called by the
    protection extension (schema/protection.py) once execution has ended."""
    warnings = _warnings(context)
    if result is None or not warnings:
        return
    result.errors = [*(result.errors or []), *warnings]
    warnings.clear()


def warnings_mark(context: Any) -> int:
    """How many warnings the operation has recorded so far (see warnings_reset)."""
    return len(getattr(context, _WARNINGS, None) or ())


def warnings_reset(context: Any, mark: int) -> None:
    """Forget the warnings recorded after `mark`: an execution that is run again (the
    compiled path falling back, docs/architecture.md "How a query is executed") records
    its own."""
    found = getattr(context, _WARNINGS, None)
    if found is not None:
        del found[mark:]
