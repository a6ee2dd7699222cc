"""Business errors. Each carries a stable code (the contract's ErrorCode), an optional input
field path and a message; resolvers translate them to `userErrors` in one place."""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Sequence


@dataclass
class DomainError(Exception):
    code: str
    message: str
    field: Sequence[str] | None = None
    data: dict[str, object] = dc_field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ErrorList(Exception):
    """Several business errors at once (e.g. every invalid field of one input)."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


def invalid(message: str, *field: str) -> DomainError:
    return DomainError("INVALID_INPUT", message, list(field) or None)


def not_found(message: str, *field: str) -> DomainError:
    return DomainError("NOT_FOUND", message, list(field) or None)


def forbidden(message: str, *field: str) -> DomainError:
    return DomainError("FORBIDDEN", message, list(field) or None)


def conflict(message: str, *field: str) -> DomainError:
    return DomainError("CONFLICT", message, list(field) or None)


class AuthenticationRequired(Exception):
    """The field needs a signed-in user and the request has none (or a bad token)."""


class PermissionDenied(Exception):
    """The signed-in user's role may not use this field (queries; mutations use FORBIDDEN)."""


class RateLimited(Exception):
    """Too many mutations (or login attempts) from one user or address in the current window;
    answered as a top-level RATE_LIMITED error with `retryAfterSeconds`."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after
class ServiceUnavailable(Exception):
    """A dependency cannot serve the request now (the database is locked past its timeout,
    read-only, unreachable, or out of connections) and nothing was committed: the same
    request may be repeated after `retry_after_seconds` (docs/rules.md, "Database faults and
    provider outages"). `reason` is for the log and /readyz, not for clients."""

    def __init__(self, reason: str, *, retry_after_seconds: int) -> None:
        super().__init__(f"The service is temporarily unavailable ({reason}); retry in "
                         f"{retry_after_seconds} s.")
        self.reason = reason
        self.retry_after_seconds = retry_after_seconds
