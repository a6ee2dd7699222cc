"""Access tokens: every kind of bad token is UNAUTHENTICATED on a field that needs a user, and
the RS256 / ES256 configurations issue and accept their own tokens only."""
from __future__ import annotations

import base64
import contextlib
import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from app import create_app
from adapters.security.tokens import LEEWAY_SECONDS, TokenIssuer
from settings import Settings
from tests.support.client import GraphQLClient, without_cost
from tests.support.factories import make_account
from tests.support.tokens import b64, claims_for, hs256

ME = "{ me { id accountType } }"
NEEDS_USER = """mutation { paymentMethodAdd(providerToken: "pm_card_visa") {
  paymentMethod { id } userErrors { code } } }"""
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  token user { id } userErrors { code field } } }"""
OTHER_SECRET = "another-secret-that-is-long-enough-0123456789"


def unsigned(claims: dict[str, Any]) -> str:
    return f"{b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}." \
           f"{b64(json.dumps(claims).encode())}."


def header_of(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # type: ignore


TokenMaker = Callable[[Settings, int, datetime], str]
BAD_TOKENS: dict[str, TokenMaker] = {
    "expired": lambda s, uid, now: TokenIssuer(s).issue(
        user_id=uid, account_type="BUYER", seller_id=None,
        now=now - timedelta(minutes=15, seconds=LEEWAY_SECONDS + 1)).token,
    "alg none": lambda s, uid, now: unsigned(claims_for(s, uid, now)),
    "wrong key": lambda s, uid, now: TokenIssuer(replace(s, jwt_secret=OTHER_SECRET)).issue(
        user_id=uid, account_type="BUYER", seller_id=None, now=now).token,
    "wrong audience": lambda s, uid, now: hs256(claims_for(s, uid, now, aud="other-app"),
                                                s.jwt_secret),
    "wrong issuer": lambda s, uid, now: hs256(claims_for(s, uid, now, iss="evil"),
                                              s.jwt_secret),
    "no exp": lambda s, uid, now: hs256(claims_for(s, uid, now, exp=...), s.jwt_secret),
    "unknown role": lambda s, uid, now: hs256(claims_for(s, uid, now, role="ROOT"),
                                              s.jwt_secret),
    "sub not an id": lambda s, uid, now: hs256(claims_for(s, uid, now, sub="admin"),
                                               s.jwt_secret),
    "tampered": lambda s, uid, now: hs256(claims_for(s, uid, now), s.jwt_secret)[:-4] + "AAAA",
    "garbage": lambda s, uid, now: "not-a-jwt",
    "three garbage parts": lambda s, uid, now: "a.b.c",
}


async def post(gql: GraphQLClient, query: str, authorization: str) -> dict[str, Any]:
    response = await gql.http.post("/graphql", json={"query": query},
                                   headers={"Authorization": authorization})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def unauthenticated(body: dict[str, Any]) -> bool:
    return [e["extensions"]["code"] for e in body.get("errors", [])] == ["UNAUTHENTICATED"]


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
async def test_bad_tokens_are_unauthenticated(kind: str, gql: GraphQLClient, runtime: Any,
                                              settings: Settings, clock: Any) -> None:
    account = await make_account(runtime)
    token = BAD_TOKENS[kind](settings, account.user_id, clock.now())
    for query in (NEEDS_USER, ME):
        body = await post(gql, query, f"Bearer {token}")
        assert unauthenticated(body), (kind, body)
        assert body["data"] in (None, {"me": None})


async def test_only_the_bearer_scheme_is_accepted(gql: GraphQLClient, runtime: Any) -> None:
    account = await make_account(runtime)
    for header in (f"Token {account.token}", f"Basic {account.token}", "Bearer ", "Bearer"):
        assert unauthenticated(await post(gql, NEEDS_USER, header)), header
    ok = await post(gql, ME, f"bearer {account.token}")
    assert without_cost(ok) == {
        "data": {"me": {"id": ok["data"]["me"]["id"], "accountType": "BUYER"}}}


async def test_a_valid_token_within_the_leeway_is_accepted(gql: GraphQLClient, runtime: Any,
                                                           clock: Any) -> None:
    account = await make_account(runtime)
    almost = runtime.tokens.issue(user_id=account.user_id, account_type="BUYER", seller_id=None,
                                  now=clock.now() - timedelta(minutes=15, seconds=10)).token
    body = await post(gql, NEEDS_USER, f"Bearer {almost}")
    assert "errors" not in body, body


async def test_a_token_stops_working_when_it_expires(gql: GraphQLClient, runtime: Any,
                                                     clock: Any) -> None:
    account = await make_account(runtime)
    assert "errors" not in await post(gql, ME, f"Bearer {account.token}")
    clock.advance(minutes=15, seconds=LEEWAY_SECONDS + 1)
    assert unauthenticated(await post(gql, ME, f"Bearer {account.token}"))


def test_a_short_hs256_secret_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        TokenIssuer(replace(Settings(), jwt_secret="too-short"))


# ---------------------------------------------------------------- RS256 and ES256
def key_pair(alg: str) -> Any:
    return RSAKey.generate_key(2048) if alg == "RS256" else ECKey.generate_key("P-256")


def asymmetric_settings(alg: str, base: Settings, tmp_path: Path) -> tuple[Settings, Any]:
    key = key_pair(alg)
    private_file, public_file = tmp_path / f"{alg}.key", tmp_path / f"{alg}.pub"
    private_file.write_bytes(key.as_pem(private=True))
    public_file.write_bytes(key.as_pem(private=False))
    configured = Settings.from_env({"JWT_ALGORITHM": alg,
                                    "JWT_PRIVATE_KEY_FILE": str(private_file),
                                    "JWT_PUBLIC_KEY_FILE": str(public_file)})
    return replace(configured, database_url=base.database_url, sweeper_enabled=False,
                   mutation_rate_limit_per_minute=100_000), key


@contextlib.asynccontextmanager
async def client_for(settings: Settings, clock: Any, hasher: Any) -> AsyncIterator[Any]:
    app = create_app(settings, clock=clock, password_hasher=hasher)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http), app.state.runtime
    finally:
        await app.state.runtime.db.dispose()


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
async def test_asymmetric_configuration_issues_and_accepts_its_tokens(
        alg: str, settings: Settings, clock: Any, fast_hasher: Any, tmp_path: Path) -> None:
    configured, key = asymmetric_settings(alg, settings, tmp_path)
    async with client_for(configured, clock, fast_hasher) as (gql, runtime):
        registered = (await gql.data(REGISTER, {"input": {
            "email": "ann@example.com", "password": "correct horse", "name": "Ann"}}))["register"]
        token = registered["token"]
        assert header_of(token)["alg"] == alg
        me = await post(gql, ME, f"Bearer {token}")
        assert me["data"]["me"]["id"] == registered["user"]["id"]
        user_id = int(runtime.tokens.verify(token, now=clock.now())["sub"])
        now = clock.now()

        # Algorithm confusion: HS256 tokens, signed with the app's HS256 default secret or
        # with the public key's PEM as an HMAC secret, are refused.
        hs_default = TokenIssuer(settings).issue(user_id=user_id, account_type="ADMIN",
                                                 seller_id=None, now=now).token
        hs_public = hs256(claims_for(configured, user_id, now, role="ADMIN"),
                          key.as_pem(private=False))
        # Same algorithm, another key pair.
        stranger = key_pair(alg)
        forged = jwt.encode({"alg": alg}, claims_for(configured, user_id, now, role="ADMIN"),
                            stranger, algorithms=[alg])
        other_alg = "ES256" if alg == "RS256" else "RS256"
        other = jwt.encode({"alg": other_alg}, claims_for(configured, user_id, now),
                           key_pair(other_alg), algorithms=[other_alg])
        for bad in (hs_default, hs_public, forged, other, unsigned(claims_for(configured,
                                                                               user_id, now))):
            assert unauthenticated(await post(gql, NEEDS_USER, f"Bearer {bad}")), bad

    # A verify-only node (public key alone) accepts the tokens and cannot issue any.
    verifier = TokenIssuer(replace(configured, jwt_private_key_pem=None))
    assert verifier.verify(token, now=clock.now())["sub"] == str(user_id)
    with pytest.raises(RuntimeError):
        verifier.issue(user_id=1, account_type="BUYER", seller_id=None, now=clock.now())


def test_asymmetric_algorithms_need_a_key_and_unknown_algorithms_are_refused() -> None:
    with pytest.raises(ValueError, match="JWT_PRIVATE_KEY_FILE"):
        TokenIssuer(replace(Settings(), jwt_algorithm="RS256"))
    for alg in ("none", "HS512", "PS256"):
        with pytest.raises(ValueError, match="JWT_ALGORITHM"):
            TokenIssuer(replace(Settings(), jwt_algorithm=alg))
