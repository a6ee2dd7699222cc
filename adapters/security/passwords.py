"""Argon2id password hashing with argon2-cffi (its defaults follow RFC 9106's guidance)."""
from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    def __init__(self, *, fast: bool = False) -> None:
        # `fast` is for tests only: same algorithm (Argon2id), smaller cost.
        self._hasher = _Argon2(time_cost=1, memory_cost=8192, parallelism=1) if fast else _Argon2()
        # A real hash to verify against when the email is unknown, so both paths cost the same.
        self._dummy = self._hasher.hash("dummy-password-for-timing")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy, password) and bool(
                password_hash
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
