"""Opaque public IDs: url-safe base64 of "<Type>:<pk>". Clients must treat them as opaque."""
from __future__ import annotations

import base64
import binascii


_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def encode_id(type_name: str, pk: int) -> str:
    """base64.urlsafe_b64encode without its two wrapper calls (an id per object of a page)."""
    raw = f"{type_name}:{pk}".encode()
    return binascii.b2a_base64(raw, newline=False).translate(_URL_SAFE).decode().rstrip("=")


MAX_PK = 2**31 - 1  # primary keys are INTEGER columns (int4 on PostgreSQL)


def decode_id(value: str, expected: str | None = None) -> tuple[str, int] | None:
    """(type, pk) or None when the value is not one of our IDs (or not of `expected` type)."""
    try:
        padded = value + "=" * (-len(value) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        number = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not type_name or not 0 < number <= MAX_PK:
        return None
    if expected is not None and type_name != expected:
        return None
    return type_name, number


def decode_pk(value: str, expected: str) -> int | None:
    decoded = decode_id(value, expected)
    return decoded[1] if decoded else None
