"""JSON request bodies, parsed so that malformed input is a ValueError, never a fault
(docs/rules.md, "Request limits"): bytes that are not UTF-8, text that is not JSON, and
values nested deeper than MAX_JSON_DEPTH (arrays and objects; Python's parser itself gives up
with a RecursionError near 1,000 levels, deeper documents never reach it whole)."""
from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 64


class MalformedJson(ValueError):
    pass


def loads(data: str | bytes) -> Any:
    """The parsed value, or MalformedJson saying what is wrong."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError as exc:
        raise MalformedJson("The body is not UTF-8 text.") from exc
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise MalformedJson(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from exc
    except ValueError as exc:
        raise MalformedJson("The body is not JSON.") from exc
    check_depth(value)
    return value


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """MalformedJson when arrays and objects nest deeper than `limit` (iterative)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (item.values() if isinstance(item, dict)
                    else item if isinstance(item, list) else None)
        if children is None:
            continue
        if depth > limit:
            raise MalformedJson(f"JSON nested deeper than {limit} levels.")
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
