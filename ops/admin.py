"""`marketplace create-admin`: the only way to make an ADMIN account (docs/rules.md, Roles).

Idempotent: False (and nothing changes) when an account with that email already exists, of any
type. The password gets the same policy and the same Argon2id hashing as `register`. The
database must be migrated first (`marketplace migrate`); this works on a freshly migrated one.
"""
from __future__ import annotations

from typing import Awaitable, Callable, TypeVar

from domain.clock import SystemClock
from domain.errors import ErrorList
from domain.identity import accounts
from persistence.db import create_database
from persistence.uow import SqlUnitOfWork, run_in_transaction
from adapters.security.passwords import Argon2PasswordHasher
from settings import Settings

T = TypeVar("T")


async def create_admin(settings: Settings, *, email: str, password: str, name: str,
                       password_hasher: Argon2PasswordHasher | None = None) -> bool:
    """True when the admin was created. ValueError for an invalid email, password or name."""
    db = create_database(settings.database_url)
    clock = SystemClock()

    async def transact(use_case: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
        return await run_in_transaction(lambda: SqlUnitOfWork(db, clock), use_case)

    try:
        return await accounts.create_admin(transact, password_hasher or Argon2PasswordHasher(),
                                           email=email, password=password, name=name)
    except ErrorList as exc:
        raise ValueError("; ".join(f"{'.'.join(e.field or [])}: {e.message}"
                                   for e in exc.errors)) from exc
    finally:
        await db.dispose()
