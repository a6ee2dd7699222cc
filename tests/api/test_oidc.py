"""An external OpenID Connect issuer: its JWKS served over real HTTP on 127.0.0.1, tokens
signed with test RSA / EC keys, mapped to our users by subject, then verified email."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, AsyncIterator, Iterator

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import select

from app import create_app
from persistence.tables import users
from adapters.security.oidc import OidcVerifier
from settings import Settings
from tests.support.client import GraphQLClient
from tests.support.factories import make_account
from tests.support.server import free_port

ISSUER = "https://id.example.test/"
AUDIENCE = "marketplace-web"
ME = "{ me { id email name accountType } }"


class JwksServer:
    """A tiny JWKS endpoint in a thread: serves `keys`, counts requests, can be made to fail."""

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.hits = 0
        self.failing = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                if server.failing or self.path != "/jwks.json":
                    self.send_response(503 if server.failing else 404)
                    self.end_headers()
                    return
                body = json.dumps({"keys": [k.as_dict(private=False) for k in server.keys]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *_: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "JwksServer":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class Ticks:
    """The verifier's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def rsa(kid: str) -> Any:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})


@dataclass
class Idp:
    server: JwksServer
    gql: GraphQLClient
    runtime: Any
    clock: Any
    ticks: Ticks
    verifier: OidcVerifier
    keys: dict[str, Any] = field(default_factory=dict)

    def publish(self, *keys: Any) -> None:
        self.server.keys = list(keys)
        self.keys.update({k.kid: k for k in keys})

    def token(self, key: Any, *, alg: str = "RS256", **claims: Any) -> str:
        now = self.clock.now()
        body: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": "idp|ann",
                                "iat": int(now.timestamp()),
                                "exp": int((now + timedelta(minutes=5)).timestamp())}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode({"alg": alg, "kid": key.kid}, body, key, algorithms=[alg])

    async def me(self, token: str) -> dict[str, Any]:
        response = await self.gql.http.post("/graphql", json={"query": ME},
                                            headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


def rejected(body: dict[str, Any]) -> bool:
    return [e["extensions"]["code"] for e in body.get("errors", [])] == ["UNAUTHENTICATED"]


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    with JwksServer() as server:
        yield server


@pytest.fixture
async def idp(settings: Settings, clock: Any, fast_hasher: Any,
              jwks: JwksServer) -> AsyncIterator[Idp]:
    configured = replace(settings, oidc_issuer=ISSUER, oidc_audience=AUDIENCE,
                         oidc_jwks_url=jwks.url, oidc_jwks_cache_seconds=600)
    app = create_app(configured, clock=clock, password_hasher=fast_hasher)
    runtime = app.state.runtime
    assert isinstance(runtime.oidc, OidcVerifier)  # create_app wires it from the settings
    ticks = Ticks()
    runtime.oidc = OidcVerifier(configured, monotonic=ticks)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            harness = Idp(jwks, GraphQLClient(http), runtime, clock, ticks, runtime.oidc)
            harness.publish(rsa("k1"))
            yield harness
    finally:
        await runtime.db.dispose()


async def user_rows(runtime: Any) -> list[Any]:
    async with runtime.db.read_engine.connect() as conn:
        return list((await conn.execute(select(users).order_by(users.c.id))).all())


# ---------------------------------------------------------------- users
async def test_a_new_subject_becomes_a_buyer_and_keys_are_cached(idp: Idp) -> None:
    token = idp.token(idp.keys["k1"], email="Ann@Example.com", email_verified=True,
                      name="Ann Lee")
    first = await idp.me(token)
    assert first["data"]["me"] | {"id": None} == {
        "id": None, "email": "ann@example.com", "name": "Ann Lee", "accountType": "BUYER"}
    again = await idp.me(idp.token(idp.keys["k1"], email="ann@example.com",
                                   email_verified=True))
    assert again["data"]["me"]["id"] == first["data"]["me"]["id"]
    [row] = await user_rows(idp.runtime)
    assert (row.external_subject, row.password_hash) == ("idp|ann", None)
    assert idp.server.hits == 1  # the JWKS was fetched once and cached


async def test_a_verified_email_links_the_existing_account(idp: Idp) -> None:
    seller = await make_account(idp.runtime, "SELLER", email="ann@example.com")
    body = await idp.me(idp.token(idp.keys["k1"], email="ANN@example.com",
                                  email_verified=True))
    assert body["data"]["me"]["accountType"] == "SELLER"  # the role is ours, not the token's
    [row] = await user_rows(idp.runtime)
    assert (row.id, row.external_subject) == (seller.user_id, "idp|ann")
    # Linked by subject from now on, whatever email the token carries.
    later = await idp.me(idp.token(idp.keys["k1"], email="new@example.com"))
    assert later["data"]["me"]["email"] == "ann@example.com"


async def test_an_unverified_email_never_links_nor_squats(idp: Idp) -> None:
    await make_account(idp.runtime, email="ann@example.com")
    body = await idp.me(idp.token(idp.keys["k1"], email="ann@example.com",
                                  email_verified=False, name=None))
    me = body["data"]["me"]
    assert me["email"].endswith("@users.invalid") and me["accountType"] == "BUYER"
    assert me["name"] == me["email"].split("@")[0]
    assert len(await user_rows(idp.runtime)) == 2


async def test_admin_accounts_are_never_linked_by_email(idp: Idp) -> None:
    await make_account(idp.runtime, "ADMIN", email="root@example.com")
    body = await idp.me(idp.token(idp.keys["k1"], sub="idp|root", email="root@example.com",
                                  email_verified=True))
    assert rejected(body)
    assert [row.external_subject for row in await user_rows(idp.runtime)] == [None]


async def test_our_own_tokens_still_work(idp: Idp) -> None:
    account = await make_account(idp.runtime)
    assert (await idp.me(account.token))["data"]["me"]["email"] == account.email


# ---------------------------------------------------------------- verification
async def test_tokens_that_do_not_verify_are_unauthenticated(idp: Idp) -> None:
    key = idp.keys["k1"]
    now = int(idp.clock.now().timestamp())
    impostor = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, other key
    ec = ECKey.generate_key("P-256", parameters={"kid": "k1"})
    bad = {
        "wrong issuer": idp.token(key, iss="https://evil.example/"),
        "wrong audience": idp.token(key, aud="another-client"),
        "expired": idp.token(key, exp=now - 120),
        "no sub": idp.token(key, sub=None),
        "no exp": idp.token(key, exp=None),
        "other key, same kid": idp.token(impostor),
        "EC key where the JWKS has RSA": idp.token(ec, alg="ES256"),
        "unknown kid": idp.token(RSAKey.generate_key(2048, parameters={"kid": "nope"})),
        "garbage": "x.y.z",
    }
    for kind, token in bad.items():
        assert rejected(await idp.me(token)), kind
    assert await user_rows(idp.runtime) == []


async def test_hmac_and_none_algorithms_are_refused(idp: Idp) -> None:
    from joserfc.jwk import OctKey

    secret = OctKey.import_key(b"s" * 32, parameters={"kid": "k1"})
    hs = jwt.encode({"alg": "HS256", "kid": "k1"},
                    {"iss": ISSUER, "aud": AUDIENCE, "sub": "idp|ann",
                     "exp": int(idp.clock.now().timestamp()) + 300}, secret,
                    algorithms=["HS256"])
    assert rejected(await idp.me(hs))
    header, payload, _ = idp.token(idp.keys["k1"]).split(".")
    none = "eyJhbGciOiJub25lIiwia2lkIjoiazEifQ." + payload + "."
    assert rejected(await idp.me(none))
    assert header  # the signed token's header had alg RS256


async def test_an_es256_issuer(idp: Idp) -> None:
    ec = ECKey.generate_key("P-256", parameters={"kid": "ec1", "use": "sig"})
    idp.publish(ec)
    idp.ticks.now += 60
    body = await idp.me(idp.token(ec, alg="ES256", sub="idp|ec", email="ec@example.com",
                                  email_verified=True))
    assert body["data"]["me"]["email"] == "ec@example.com"


# ---------------------------------------------------------------- key rotation and caching
async def test_key_rotation_refetches_once_and_not_more_often(idp: Idp) -> None:
    assert "errors" not in await idp.me(idp.token(idp.keys["k1"]))
    assert idp.verifier.fetches == 1
    k2 = rsa("k2")
    idp.publish(idp.keys["k1"], k2)
    # An unknown kid right after a fetch waits for the minimum refetch interval.
    assert rejected(await idp.me(idp.token(k2)))
    assert idp.server.hits == 1
    idp.ticks.now += 11
    assert "errors" not in await idp.me(idp.token(k2))  # one refetch finds the new key
    assert "errors" not in await idp.me(idp.token(idp.keys["k1"]))
    assert idp.server.hits == 2
    # A made-up kid makes at most one fetch per interval.
    made_up = rsa("made-up")
    idp.ticks.now += 11
    for _ in range(3):
        assert rejected(await idp.me(idp.token(made_up)))
    assert idp.server.hits == 3


async def test_the_cache_expires_and_an_unreachable_issuer_keeps_the_old_keys(
        idp: Idp) -> None:
    assert "errors" not in await idp.me(idp.token(idp.keys["k1"]))
    idp.ticks.now += 601
    assert "errors" not in await idp.me(idp.token(idp.keys["k1"]))
    assert idp.server.hits == 2
    idp.server.failing = True
    idp.ticks.now += 601
    assert "errors" not in await idp.me(idp.token(idp.keys["k1"]))  # stale keys still serve
    assert idp.server.hits == 3


async def test_no_keys_at_all_is_unauthenticated_not_a_fault(idp: Idp) -> None:
    idp.server.failing = True
    body = await idp.me(idp.token(idp.keys["k1"]))
    assert rejected(body)


def test_configuration_must_name_an_audience_and_asymmetric_algorithms() -> None:
    base = replace(Settings(), oidc_issuer=ISSUER, oidc_jwks_url="http://127.0.0.1:1/jwks")
    with pytest.raises(ValueError, match="OIDC_AUDIENCE"):
        OidcVerifier(base)
    with pytest.raises(ValueError, match="algorithms"):
        OidcVerifier(replace(base, oidc_audience=AUDIENCE, oidc_algorithms=("HS256", "none")))
