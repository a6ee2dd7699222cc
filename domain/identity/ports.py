"""What the identity use cases need from outside: the users repository on a unit of work,
a password hasher, an access-token issuer, and a way to run a use case in a transaction.

Adapters: persistence/repositories/users.py (UserRepository), adapters/security/passwords.py
(Argon2id), adapters/security/tokens.py (JWT), schema.context.Runtime.transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Protocol, TypeVar

from domain.identity.models import (
    Address,
    AddressFields,
    PaymentMethod,
    Seller,
    User,
)

T = TypeVar("T")


class UserRepository(Protocol):
    # --- accounts
    async def add_user(self, *, email: str, name: str, password_hash: str | None,
                       account_type: str, now: datetime,
                       external_subject: str | None = None) -> User | None:
        """The new user, or None when the email (or external subject) is already taken."""

    async def open_seller(self, *, user_id: int, display_name: str,
                          payable_account: Callable[[int], str], now: datetime) -> Seller:
        """The seller row and its ledger account (named by `payable_account(seller_id)`)."""

    async def get(self, user_id: int) -> User | None: ...

    async def credentials(self, email: str) -> tuple[User, str | None] | None:
        """The user with that (normalised) email and their password hash."""

    async def by_external_subject(self, subject: str) -> User | None: ...

    async def link_external_subject(self, user_id: int, subject: str) -> bool:
        """Sets the subject on a user that has none yet; False when that did not happen."""

    async def lock_user(self, user_id: int) -> bool:
        """Serialises changes to one user's addresses / payment methods; False if no user."""

    # --- admin operations (domain/identity/admin.py)
    async def set_account_type(self, user_id: int, account_type: str) -> None: ...

    async def disable_account(self, user_id: int, *, reason: str, now: datetime) -> int:
        """Sets disabled_at and bumps token_version; the new version."""

    async def enable_account(self, user_id: int) -> None: ...

    async def revoke_user_sessions(self, user_id: int, now: datetime) -> int:
        """Revokes every live refresh token of the user."""

    async def add_audit_entry(self, *, actor_user_id: int, action: str,
                              target_user_id: int | None, details: dict[str, str],
                              now: datetime) -> None: ...

    # --- refresh tokens
    async def add_refresh_token(self, *, user_id: int, token_hash: str, family: str,
                                expires_at: datetime, now: datetime) -> None: ...

    async def use_refresh_token(self, token_hash: str, now: datetime) -> tuple[int, str] | None:
        """Marks a live token used in one conditional UPDATE: (user_id, family) or None."""

    async def family_of_used_token(self, token_hash: str) -> tuple[int, str] | None:
        """(user_id, family) of a token that was already used."""

    async def revoke_family(self, family: str, now: datetime) -> int: ...

    # --- addresses
    async def has_addresses(self, user_id: int) -> bool: ...

    async def clear_default_address(self, user_id: int) -> None: ...

    async def add_address(self, *, user_id: int, fields: AddressFields,
                          is_default: bool | None, now: datetime) -> Address:
        """`is_default` None: the default when the user has no address yet."""

    async def remove_address(self, *, user_id: int, address_id: int) -> Address | None: ...

    async def make_latest_address_default(self, user_id: int) -> None: ...

    # --- saved payment methods
    async def payment_method_by_token(self, user_id: int,
                                      provider_token: str) -> PaymentMethod | None: ...

    async def has_payment_methods(self, user_id: int) -> bool: ...

    async def clear_default_payment_method(self, user_id: int) -> None: ...

    async def set_default_payment_method(self, payment_method_id: int) -> PaymentMethod: ...

    async def payment_method_token(self, user_id: int,
                                   payment_method_id: int) -> str | None: ...

    async def purge_expired_refresh_tokens(self, now: datetime, limit: int) -> int: ...

    async def add_payment_method(self, *, user_id: int, provider_token: str, brand: str,
                                 last4: str, is_default: bool, now: datetime) -> PaymentMethod:
        ...


class UnitOfWork(Protocol):
    @property
    def users(self) -> UserRepository: ...

    def now(self) -> datetime: ...

    async def commit(self) -> None: ...


class Transact(Protocol):
    """Runs a use case in one transaction, retrying it whole on serialization failures
    (schema.context.Runtime.transaction)."""

    async def __call__(self, use_case: Callable[[Any], Awaitable[T]]) -> T: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a wrong password; costs the same when `password_hash` is None."""


class IssuedToken(Protocol):
    @property
    def token(self) -> str: ...

    @property
    def expires_at(self) -> datetime: ...


class AccessTokenIssuer(Protocol):
    def issue(self, *, user_id: int, account_type: str, seller_id: int | None,
              now: datetime, version: int = 0, family: str | None = None) -> IssuedToken: ...


async def _nothing_to_forget(user_id: int) -> None:
    return None


@dataclass(frozen=True)
class AuthServices:
    """The adapters a sign-in use case needs, with the refresh-token lifetime."""

    passwords: PasswordHasher
    tokens: AccessTokenIssuer
    refresh_ttl: timedelta
    # Called after a commit that changed what a user's access tokens may do (a revoked
    # family): drops the cached account state (adapters/security/account_check.py).
    forget_account: Callable[[int], Awaitable[None]] = _nothing_to_forget
