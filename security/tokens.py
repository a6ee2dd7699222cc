"""Access tokens: JWTs issued and checked with joserfc.

HS256 with a shared secret by default; RS256 or ES256 with a configured key pair. Only the
configured algorithm is accepted (so `alg: none` and algorithm swaps are refused), and `exp`,
`iss` and `aud` are essential claims.
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
        if alg == "HS256":
            self._sign_key: Any = OctKey.import_key(settings.jwt_secret.encode())
            self._verify_key: Any = self._sign_key
        else:
            if not settings.jwt_private_key_pem:
                raise ValueError(f"{alg} needs JWT_PRIVATE_KEY_FILE")
            key_cls = RSAKey if alg == "RS256" else ECKey
            self._sign_key = key_cls.import_key(settings.jwt_private_key_pem)
            public = settings.jwt_public_key_pem
            self._verify_key = key_cls.import_key(public) if public else self._sign_key

    def issue(self, *, user_id: int, account_type: str, seller_id: int | None,
              now: datetime) -> AccessToken:
        expires = now + self.ttl
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "role": account_type,
            "sid": seller_id,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        token = jwt.encode({"alg": self.algorithm, "typ": "JWT"}, claims, self._sign_key,
                           algorithms=[self.algorithm])
        return AccessToken(token, expires)

    def verify(self, token: str, *, now: datetime) -> dict[str, Any]:
        """The claims of a valid token (sub, role, sid); InvalidToken otherwise."""
        try:
            decoded = jwt.decode(token, self._verify_key, algorithms=[self.algorithm])
            jwt.JWTClaimsRegistry(
                now=int(now.timestamp()),
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
            claims = dict(decoded.claims)
            int(claims["sub"])
            if claims.get("role") not in {"BUYER", "SELLER", "ADMIN"}:
                raise ValueError("unknown role")
            return claims
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise InvalidToken(str(exc)) from exc
