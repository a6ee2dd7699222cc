"""JSON request bodies, parsed so that malformed input is a ValueError, never a fault
(docs/rules.md, "Request limits"): bytes that are not UTF-8, text that is not JSON, and
values nested deeper than MAX_JSON_DEPTH (arrays and objects; Python's parser itself gives up
with a RecursionError near 1,000 levels, deeper documents never reach it whole), and strings
holding a lone surrogate escape ("\\ud800": no Unicode character, no database stores it)."""
from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_JSON_DEPTH = 64


class MalformedJson(ValueError):
    pass


def loads(data: str | bytes) -> Any:
    """The parsed value, or MalformedJson saying what is wrong. Bytes are parsed with orjson
    (several times faster; it refuses lone surrogates itself) unless they hold an integer
    orjson would turn into a float; anything orjson refuses takes the standard library's path,
    which says what is wrong (or accepts what only it accepts, e.g. NaN)."""
    if isinstance(data, bytes) and not _LONG_NUMBER.search(data):
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        else:
            check_depth(value)
            return value
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
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise MalformedJson("The body holds a \\u escape that is no Unicode character.")
    return value


_LONG_NUMBER = re.compile(rb"[0-9]{19}")  # past 64 bits, orjson answers a float
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    """A string (or key) holding half of a surrogate pair: no text column can store it."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


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
