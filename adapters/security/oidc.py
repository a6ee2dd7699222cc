"""Trusting an external OpenID Connect issuer (configured by OIDC_ISSUER, OIDC_AUDIENCE and
OIDC_JWKS_URL) besides our own tokens.

- Keys: the issuer's JWKS, fetched with httpx and cached for `oidc_jwks_cache_seconds`. A
  token whose `kid` is not in the cached set makes one refetch (the issuer rotated its keys).
  Fetches are at most one per `min_refetch_seconds`, so a flood of tokens with made-up kids
  cannot hammer the issuer; when a fetch fails, the keys already held stay in use.
- Verification: only the allow-listed asymmetric algorithms (settings.oidc_algorithms,
  within RS256/ES256: never `none`, never HMAC, whose key would be public); `iss` must equal
  OIDC_ISSUER, `aud` must contain OIDC_AUDIENCE (required: without it any token the issuer
  minted for another client would do), `exp` and `sub` are essential; 60 s leeway for skew.
- Users: domain/identity/external.py maps the claims to one of our users (by `sub`, else a
  verified email, else a new BUYER). The common case, a known `sub`, costs one read on the read
  engine; only first sign-ins open a write transaction.
Any failure is AuthenticationRequired (top-level UNAUTHENTICATED).
"""
from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import TYPE_CHECKING, Any, Callable

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact
from sqlalchemy.exc import IntegrityError

from domain.errors import AuthenticationRequired
from domain.identity.external import link_external_identity
from domain.identity.models import User
from persistence.reads.identity import user_by_external_subject
from adapters.security.tokens import InvalidToken
from settings import Settings
from persistence.request_reads import read

if TYPE_CHECKING:
    from adapters.security.runtime import Runtime
    from domain.identity.viewer import Viewer

log = logging.getLogger("marketplace.oidc")

SUPPORTED_ALGORITHMS = ("RS256", "ES256")
LEEWAY_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 5.0
SUBJECT_MAX_LENGTH = 300


class OidcVerifier:
    def __init__(self, settings: Settings, *, min_refetch_seconds: float = 10.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if not (settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url):
            raise ValueError("OIDC needs OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL")
        self.issuer = settings.oidc_issuer
        self.audience = settings.oidc_audience
        self.jwks_url = settings.oidc_jwks_url
        self.algorithms = [a for a in settings.oidc_algorithms if a in SUPPORTED_ALGORITHMS]
        if not self.algorithms:
            raise ValueError(f"OIDC algorithms must be among {SUPPORTED_ALGORITHMS}")
        self.cache_seconds = settings.oidc_jwks_cache_seconds
        self.min_refetch_seconds = min_refetch_seconds
        self._monotonic = monotonic
        self._keys: KeySet | None = None
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._lock = asyncio.Lock()
        self.fetches = 0  # how many times the JWKS was fetched (observability, tests)

    # --- the port schema/context.py / adapters/security/identity.py call
    async def viewer_for(self, runtime: "Runtime", token: str) -> "Viewer":
        from domain.identity.viewer import Viewer

        try:
            claims = await self.verify(token, now=int(runtime.clock.now().timestamp()))
        except InvalidToken as exc:
            raise AuthenticationRequired("Invalid or expired token.") from exc
        user = await self._user_for(runtime, claims)
        return Viewer(user_id=user.id, account_type=user.account_type, seller_id=user.seller_id)

    # --- verification
    async def verify(self, token: str, *, now: int) -> dict[str, Any]:
        """The claims of a token of the trusted issuer; InvalidToken otherwise."""
        try:
            header = extract_compact(token.encode()).headers()
        except Exception as exc:  # noqa: BLE001 - any parse failure means not a JWS
            raise InvalidToken("malformed token") from exc
        if header.get("alg") not in self.algorithms:
            raise InvalidToken("algorithm not allowed")
        kid = header.get("kid")
        keys = await self._keys_for(kid if isinstance(kid, str) else None)
        try:
            decoded = jwt.decode(token, keys, algorithms=self.algorithms)
            jwt.JWTClaimsRegistry(
                now=now, leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc
        claims = dict(decoded.claims)
        if len(claims["sub"]) > SUBJECT_MAX_LENGTH:
            raise InvalidToken("subject too long")
        return claims

    def _usable(self, kid: str | None) -> KeySet | None:
        keys = self._keys
        if keys is None or self._monotonic() - self._fetched_at >= self.cache_seconds:
            return None
        if kid is not None and all(key.kid != kid for key in keys):
            return None
        return keys

    async def _keys_for(self, kid: str | None) -> KeySet:
        keys = self._usable(kid)
        if keys is not None:
            return keys
        async with self._lock:  # one fetch at a time; waiters reuse its result
            keys = self._usable(kid)
            if keys is not None:
                return keys
            if self._monotonic() - self._attempted_at >= self.min_refetch_seconds:
                await self._fetch()
        if self._keys is None:
            raise InvalidToken("the issuer's keys are unavailable")
        return self._keys  # possibly stale (issuer unreachable) or without that kid

    async def _fetch(self) -> None:
        self._attempted_at = self._monotonic()
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
                response = await client.get(self.jwks_url, headers={"Accept": "application/json"})
                response.raise_for_status()
                keys = KeySet.import_key_set(response.json())
        except (httpx.HTTPError, JoseError, ValueError, KeyError, TypeError) as exc:
            log.warning("fetching the OIDC JWKS from %s failed: %s", self.jwks_url, exc)
            return
        self._keys = keys
        self._fetched_at = self._attempted_at
        self.fetches += 1

    # --- claims -> one of our users
    async def _user_for(self, runtime: "Runtime", claims: dict[str, Any]) -> User:
        subject = str(claims["sub"])
        known = await read(runtime.db, lambda conn: user_by_external_subject(conn, subject))
        if known is not None:
            return known
        email = claims.get("email")
        name = claims.get("name")
        try:
            return await runtime.transaction(lambda uow: link_external_identity(
                uow, subject=subject, email=email if isinstance(email, str) else None,
                email_verified=claims.get("email_verified") in (True, "true"),
                name=name if isinstance(name, str) else None))
        except IntegrityError as exc:  # lost a race on the same subject or email
            raise AuthenticationRequired("No account can be signed in with that identity.") \
                from exc
