"""Bearer token -> Viewer, and the sign-in adapters the identity use cases need.

Our own JWTs carry the user id, role and seller id, so resolving the viewer costs no database
statement; tokens of a configured external OpenID Connect issuer are mapped to users by `sub`,
then email (see security/oidc.py and domain/identity/external.py).
"""
from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from domain.errors import AuthenticationRequired
from domain.identity.ports import AuthServices
from security.tokens import InvalidToken

if TYPE_CHECKING:
    from context import Runtime, Viewer


async def resolve_viewer(runtime: "Runtime", token: str) -> "Viewer":
    from context import Viewer

    now = runtime.clock.now()
    try:
        claims = runtime.tokens.verify(token, now=now)
    except InvalidToken as own_error:
        if runtime.oidc is None:
            raise AuthenticationRequired("Invalid or expired token.") from own_error
        return await runtime.oidc.viewer_for(runtime, token)
    sid = claims.get("sid")
    return Viewer(user_id=int(claims["sub"]), account_type=claims["role"],
                  seller_id=int(sid) if sid is not None else None)


def auth_services(runtime: "Runtime") -> AuthServices:
    """The password hasher, the token issuer and the refresh-token lifetime of this app."""
    return AuthServices(passwords=runtime.passwords, tokens=runtime.tokens,
                        refresh_ttl=timedelta(seconds=runtime.settings.refresh_token_ttl_seconds))
