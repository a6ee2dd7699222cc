"""Access tokens: JWTs issued and checked with joserfc.

HS256 with a shared secret (at least 32 bytes, RFC 7518 3.2) by default; RS256 or ES256 with a
configured key pair (a verify-only node may be given just the public key). Only the configured
algorithm is accepted, so `alg: none` and algorithm swaps (an HS256 token signed with the
public key of an RS256 deployment) are refused. `exp`, `iss`, `aud` and `sub` are essential
claims; `role` must be one of the account types and `sid` (the seller id) an integer or null;
`ver` (the account's token version, 0 when absent) an integer and `fam` (the refresh family
of the sign-in) a string, both checked against the account on each request
(adapters/security/account_check.py).
A leeway of LEEWAY_SECONDS absorbs clock skew between the hosts of one deployment.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey, RSAKey

from settings import Settings

ALLOWED_ALGORITHMS = {"HS256", "RS256", "ES256"}
ROLES = {"BUYER", "SELLER", "ADMIN"}
LEEWAY_SECONDS = 30
MIN_SECRET_BYTES = 32


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


class TokenIssuer:
    def __init__(self, settings: Settings) -> None:
        alg = settings.jwt_algorithm
        if alg not in ALLOWED_ALGORITHMS:
            raise ValueError(f"JWT_ALGORITHM must be one of {sorted(ALLOWED_ALGORITHMS)}")
        self.algorithm = alg
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.ttl = timedelta(seconds=settings.access_token_ttl_seconds)
        self._sign_key: Any
        self._verify_key: Any
        if alg == "HS256":
            secret = settings.jwt_secret.encode()
            if len(secret) < MIN_SECRET_BYTES:
                raise ValueError(f"JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
            self._sign_key = self._verify_key = OctKey.import_key(secret)
            return
        private, public = settings.jwt_private_key_pem, settings.jwt_public_key_pem
        if not private and not public:
            raise ValueError(f"{alg} needs JWT_PRIVATE_KEY_FILE (and/or JWT_PUBLIC_KEY_FILE)")
        key_cls: Any = RSAKey if alg == "RS256" else ECKey
        self._sign_key = key_cls.import_key(private) if private else None
        self._verify_key = key_cls.import_key(public) if public else self._sign_key

    def issue(self, *, user_id: int, account_type: str, seller_id: int | None,
              now: datetime, version: int = 0, family: str | None = None) -> AccessToken:
        if self._sign_key is None:
            raise RuntimeError("this node has no private key: it verifies tokens only")
        expires = now + self.ttl
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "role": account_type,
            "sid": seller_id,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "ver": version,
        }
        if family is not None:
            claims["fam"] = family
        token = jwt.encode({"alg": self.algorithm, "typ": "JWT"}, claims, self._sign_key,
                           algorithms=[self.algorithm])
        return AccessToken(token, expires)

    def verify(self, token: str, *, now: datetime) -> dict[str, Any]:
        """The claims of a valid token (sub, role, sid); InvalidToken otherwise."""
        try:
            decoded = jwt.decode(token, self._verify_key, algorithms=[self.algorithm])
            jwt.JWTClaimsRegistry(
                now=int(now.timestamp()),
                leeway=LEEWAY_SECONDS,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
            claims = dict(decoded.claims)
            int(claims["sub"])
            if claims.get("role") not in ROLES:
                raise ValueError("unknown role")
            sid = claims.get("sid")
            if sid is not None and (not isinstance(sid, int) or isinstance(sid, bool)):
                raise ValueError("sid must be an integer")
            ver = claims.setdefault("ver", 0)
            if not isinstance(ver, int) or isinstance(ver, bool):
                raise ValueError("ver must be an integer")
            if not isinstance(claims.get("fam", ""), str):
                raise ValueError("fam must be a string")
            return claims
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc
