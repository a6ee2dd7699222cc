"""NUL characters are removed from every string a client sends (variables and literals)
before execution: no legitimate text contains them, and PostgreSQL cannot store them (an
unfiltered NUL would turn into a database fault instead of a plain answer)."""
from __future__ import annotations

import dataclasses
from typing import Any

from graphql import StringValueNode, visit
from graphql.language import Visitor

NUL = "\x00"


def strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_nul(v) for k, v in value.items()}
    return value


class _StripLiterals(Visitor):
    def enter_string_value(self, node: StringValueNode, *_: Any) -> Any:
        if NUL not in node.value:
            return None  # keep the node
        if dataclasses.is_dataclass(node):  # graphql-core 3.3: nodes are frozen dataclasses
            return dataclasses.replace(node, value=node.value.replace(NUL, ""))
        plain: Any = node  # graphql-core 3.2: plain objects
        plain.value = node.value.replace(NUL, "")
        return None


def strip_nul_from(context: Any) -> None:
    """Removes NULs from an operation's variables and string literals before it executes
    (called by the protection extension, schema/protection.py)."""
    if context.variables:
        context.variables = strip_nul(context.variables)
    query = context.query or ""
    if context.graphql_document is not None and (NUL in query or "\\u0000" in query):
        context.graphql_document = visit(context.graphql_document, _StripLiterals())
