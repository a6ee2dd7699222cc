"""Which access tokens still open the door (docs/rules.md, "Sessions and secrets").

An access token is a signed claim of who the caller was when it was issued. Each request also
checks it against the account as it is now (an AccountState, cached for a few seconds):
- no such account (deleted): the token is refused (UNAUTHENTICATED);
- a disabled account: refused;
- a token issued under another `token_version` than the account's: refused. Disabling bumps
  the version, so the sessions of a disabled account stay ended after it is enabled again;
- a token of a refresh family that has been revoked (refresh-token reuse, disabling): refused;
- otherwise the caller acts with the account's current role, never the role in the token: a
  demoted seller is a buyer from the next request on (FORBIDDEN on seller fields), a promoted
  buyer a seller. A role change therefore does not end the session.
Tokens of the trusted external OpenID Connect issuer carry no version or family; the other
checks apply to them too.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from domain.identity.models import SELLER, AccountState

NO_ACCOUNT = "This account no longer exists."
DISABLED = "This account is disabled."
SESSION_ENDED = "This session has ended; sign in again."


def session_problem(state: AccountState | None, *, token_version: int | None,
                    family: str | None) -> str | None:
    """Why a token of this account may not be used now; None when it may."""
    if state is None:
        return NO_ACCOUNT
    if state.disabled:
        return DISABLED
    if token_version is not None and token_version != state.token_version:
        return SESSION_ENDED
    if family is not None and family in state.revoked_families:
        return SESSION_ENDED
    return None


def acting_seller(state: AccountState) -> int | None:
    """The seller row the caller acts as: only while the account's role is SELLER (a demoted
    seller keeps its row, products and ledger account, but no longer acts for them)."""
    return state.seller_id if state.account_type == SELLER else None


def revoked_since(now: datetime, access_ttl: timedelta, leeway: timedelta) -> datetime:
    """Families revoked before this instant can have no unexpired access token left."""
    return now - access_ttl - leeway
