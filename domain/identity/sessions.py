"""Sessions: a short-lived JWT access token plus a long-lived, single-use refresh token.

Refresh tokens follow OAuth 2.1 refresh-token rotation (and RFC 6819, 5.2.2.3):
- They are opaque random strings (`secrets.token_urlsafe(32)`, 256 bits), stored only as their
  SHA-256 hex digest, with a `family` shared by every token descended from one sign-in.
- They are single use. Redeeming one is one conditional UPDATE (not used, not revoked, not
  expired); the caller then gets a new access token and a new refresh token of the same
  family, valid for the configured lifetime from now.
- Reuse detection: presenting a token that was already used revokes its whole family, so
  both a thief and the victim have to sign in again. That revocation is committed although the
  call answers an error: it is a security response, not a business change.
- Access tokens carry their refresh family (`fam`) and the account's token version (`ver`):
  once a family is revoked, its access tokens are refused too, from the next request on
  (domain/identity/access.py).
- A disabled account cannot refresh (its tokens were revoked when it was disabled).
- An unknown, expired, revoked or reused token answers INVALID_CREDENTIALS, always with the
  same message. A retried tokenRefresh whose first answer was lost counts as reuse: clients
  must keep only the newest refresh token.
"""
from __future__ import annotations

import hashlib
import secrets

from domain.errors import DomainError
from domain.identity.models import AuthResult, User
from domain.identity.ports import AuthServices, Transact, UnitOfWork

REFRESH_TOKEN_MAX_LENGTH = 200
INVALID_REFRESH = "The refresh token is invalid, expired or already used; sign in again."


def invalid_credentials(message: str) -> DomainError:
    return DomainError("INVALID_CREDENTIALS", message)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_family() -> str:
    return secrets.token_hex(16)


async def start_session(uow: UnitOfWork, auth: AuthServices, user: User, *,
                        family: str | None = None) -> AuthResult:
    """Stores a new refresh token (a new family unless given) and issues an access token.
    Runs inside the caller's transaction; the caller commits."""
    now = uow.now()
    refresh = new_refresh_token()
    family = family or new_family()
    await uow.users.add_refresh_token(
        user_id=user.id, token_hash=hash_refresh_token(refresh), family=family,
        expires_at=now + auth.refresh_ttl, now=now)
    access = auth.tokens.issue(user_id=user.id, account_type=user.account_type,
                               seller_id=user.seller_id, now=now,
                               version=user.token_version, family=family)
    return AuthResult(user=user, access_token=access.token, expires_at=access.expires_at,
                      refresh_token=refresh)


async def refresh_session(transact: Transact, auth: AuthServices, *,
                          refresh_token: str) -> AuthResult:
    """tokenRefresh: trades a live refresh token for a new access and refresh token."""
    if not refresh_token or len(refresh_token) > REFRESH_TOKEN_MAX_LENGTH:
        raise invalid_credentials(INVALID_REFRESH)
    token_hash = hash_refresh_token(refresh_token)

    async def rotate(uow: UnitOfWork) -> AuthResult | int | None:
        """The new session; else the id of a user whose family was revoked, or None."""
        now = uow.now()
        redeemed = await uow.users.use_refresh_token(token_hash, now)
        if redeemed is None:
            reused = await uow.users.family_of_used_token(token_hash)
            if reused is None:
                return None
            owner, family = reused  # reuse: the whole family is compromised
            await uow.users.revoke_family(family, now)
            await uow.commit()
            return owner
        user_id, family = redeemed
        user = await uow.users.get(user_id)
        if user is None or user.disabled_at is not None:
            raise invalid_credentials(INVALID_REFRESH)
        result = await start_session(uow, auth, user, family=family)
        await uow.commit()
        return result

    outcome = await transact(rotate)
    if isinstance(outcome, AuthResult):
        return outcome
    if outcome is not None:
        await auth.forget_account(outcome)
    raise invalid_credentials(INVALID_REFRESH)
