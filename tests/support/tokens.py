"""Access tokens made by hand for tests: the claims the app issues, signed with HS256 under any
secret (to forge, tamper with or expire them)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from settings import Settings


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def claims_for(settings: Settings, user_id: int, now: datetime, **extra: Any) -> dict[str, Any]:
    claims = {"sub": str(user_id), "role": "BUYER", "sid": None, "iss": settings.jwt_issuer,
              "aud": settings.jwt_audience, "iat": int(now.timestamp()),
              "exp": int((now + timedelta(minutes=15)).timestamp())}
    claims.update(extra)
    return {k: v for k, v in claims.items() if v is not ...}


def hs256(claims: dict[str, Any], secret: str | bytes) -> str:
    key = secret if isinstance(secret, bytes) else secret.encode()
    signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}." \
                    f"{b64(json.dumps(claims).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"
