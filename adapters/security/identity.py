"""Bearer token -> Viewer, and the sign-in adapters the identity use cases need.

Our own JWTs carry the user id, token version and refresh family; the role and seller the
caller acts with come from the account as it is now (adapters/security/account_check.py: a cached
state, one statement on a miss), so role changes, disabled and deleted accounts and revoked
sessions take effect on the next request. Tokens of a configured external OpenID Connect
issuer are mapped to users by `sub`, then email (see adapters/security/oidc.py and
domain/identity/external.py), and checked the same way.
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from domain.errors import AuthenticationRequired
from domain.identity.ports import AuthServices
from adapters.security.account_check import account_states, checked_viewer
from adapters.security.tokens import InvalidToken

if TYPE_CHECKING:
    from adapters.security.runtime import Runtime
    from domain.identity.viewer import Viewer


async def resolve_viewer(runtime: "Runtime", token: str) -> "Viewer":
    now = runtime.clock.now()
    try:
        claims = runtime.tokens.verify(token, now=now)
    except InvalidToken as own_error:
        if runtime.oidc is None:
            raise AuthenticationRequired("Invalid or expired token.") from own_error
        external = await runtime.oidc.viewer_for(runtime, token)
        return await checked_viewer(runtime, external.user_id, token_version=None, family=None)
    return await checked_viewer(runtime, int(claims["sub"]), token_version=int(claims["ver"]),
                                family=claims.get("fam"))


def auth_services(runtime: "Runtime") -> AuthServices:
    """The password hasher, the token issuer and the refresh-token lifetime of this app."""
    return AuthServices(passwords=runtime.passwords, tokens=runtime.tokens,
                        refresh_ttl=timedelta(seconds=runtime.settings.refresh_token_ttl_seconds),
                        forget_account=account_states(runtime).forget)
