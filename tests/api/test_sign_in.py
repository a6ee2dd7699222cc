"""Signing in through the GraphQL API: register, login and tokenRefresh, with every error code
those mutations answer."""
from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from domain.ids import encode_id
from persistence.tables import (
    ledger_accounts,
    refresh_tokens,
    sellers,
    users,
)
from adapters.security.passwords import Argon2PasswordHasher
from tests.support.client import unique_email
from tests.support.factories import make_account
from tests.support.identity import (
    LOGIN,
    ME,
    PASSWORD,
    REFRESH,
    REGISTER,
    buyer_input,
    codes,
    count,
    register,
    scalar,
)


# ---------------------------------------------------------------- register
async def test_register_a_buyer_signs_them_in(gql: Any, clock: Any) -> None:
    payload = await register(gql, email="  Ann.Lee@Example.COM ", name=" Ann Lee ")
    assert payload["userErrors"] == []
    user = payload["user"]
    assert (user["email"], user["name"], user["accountType"], user["seller"]) == (
        "ann.lee@example.com", "Ann Lee", "BUYER", None)
    assert payload["expiresAt"] == (clock.now() + timedelta(minutes=15)).isoformat()
    assert payload["refreshToken"]
    me = (await gql.data(ME, token=payload["token"]))["me"]
    assert (me["id"], me["email"], me["addresses"], me["paymentMethods"]) == (
        user["id"], "ann.lee@example.com", [], [])


async def test_register_a_seller_opens_the_seller_and_its_ledger_account(
        gql: Any, runtime: Any) -> None:
    payload = await register(gql, accountType="SELLER", sellerDisplayName=" Ann's Attic ")
    assert payload["userErrors"] == []
    seller = payload["user"]["seller"]
    assert payload["user"]["accountType"] == "SELLER"
    assert seller["displayName"] == "Ann's Attic"
    seller_pk = await scalar(runtime, select(sellers.c.id))
    assert seller["id"] == encode_id("Seller", seller_pk)
    async with runtime.db.read_engine.connect() as conn:
        account = (await conn.execute(select(ledger_accounts))).one()
    assert (account.name, account.currency, account.balance_minor) == (
        f"SELLER_PAYABLE:{seller['id']}", "USD", 0)
    claims = runtime.tokens.verify(payload["token"], now=runtime.clock.now())
    assert (claims["role"], claims["sid"]) == ("SELLER", seller_pk)
    me = (await gql.data(ME, token=payload["token"]))["me"]
    assert me["seller"] == seller


async def test_register_refuses_invalid_input_and_changes_nothing(gql: Any,
                                                                 runtime: Any) -> None:
    cases = [
        ({"accountType": "ADMIN"}, [("INVALID_INPUT", ["input", "accountType"])]),
        ({"accountType": "SELLER"}, [("INVALID_INPUT", ["input", "sellerDisplayName"])]),
        ({"password": "short12"}, [("INVALID_INPUT", ["input", "password"])]),
        ({"password": "x" * 257}, [("INVALID_INPUT", ["input", "password"])]),
        ({"email": "not-an-email"}, [("INVALID_INPUT", ["input", "email"])]),
        ({"name": "   "}, [("INVALID_INPUT", ["input", "name"])]),
        ({"email": "bad", "password": "short"}, [("INVALID_INPUT", ["input", "email"]),
                                                 ("INVALID_INPUT", ["input", "password"])]),
    ]
    for overrides, expected in cases:
        payload = await register(gql, **overrides)
        assert codes(payload) == expected, overrides
        assert payload["token"] is None and payload["user"] is None
    assert await count(runtime, users) == 0


async def test_register_an_email_twice_is_email_taken(gql: Any, runtime: Any) -> None:
    await register(gql, email="ann@example.com")
    again = await register(gql, email=" ANN@example.com", accountType="SELLER",
                           sellerDisplayName="Other")
    assert codes(again) == [("EMAIL_TAKEN", ["input", "email"])]
    assert (await count(runtime, users), await count(runtime, sellers)) == (1, 0)
    assert await count(runtime, ledger_accounts) == 0


async def test_concurrent_registrations_of_one_email_give_one_account(
        gql: Any, runtime: Any) -> None:
    email = unique_email("race")
    results = await asyncio.gather(*[
        gql(REGISTER, {"input": buyer_input(email=email)}) for _ in range(5)])
    assert all("errors" not in body for body in results), results
    payloads = [body["data"]["register"] for body in results]
    assert sum(1 for p in payloads if p["userErrors"] == []) == 1
    assert sorted(codes(p)[0][0] for p in payloads if p["userErrors"]) == ["EMAIL_TAKEN"] * 4
    assert await count(runtime, users) == 1


# ---------------------------------------------------------------- login
async def test_login_with_the_right_password(gql: Any, runtime: Any) -> None:
    registered = await register(gql, email="ann@example.com")
    payload = (await gql.data(LOGIN, {"email": " Ann@Example.com", "password": PASSWORD}))
    login = payload["login"]
    assert login["userErrors"] == []
    assert login["user"]["id"] == registered["user"]["id"]
    assert login["refreshToken"] != registered["refreshToken"]
    assert (await gql.data(ME, token=login["token"]))["me"]["email"] == "ann@example.com"


async def test_unknown_email_and_wrong_password_answer_alike(gql: Any) -> None:
    await register(gql, email="ann@example.com")
    wrong = (await gql.data(LOGIN, {"email": "ann@example.com", "password": "wrong pass"}))
    unknown = (await gql.data(LOGIN, {"email": "bob@example.com", "password": PASSWORD}))
    empty = (await gql.data(LOGIN, {"email": "", "password": ""}))
    for payload in (wrong["login"], unknown["login"], empty["login"]):
        assert payload["token"] is None and payload["user"] is None
        assert payload["userErrors"] == [{"code": "INVALID_CREDENTIALS", "field": None,
                                          "message": "Email or password is incorrect."}]


class CountingHasher(Argon2PasswordHasher):
    def __init__(self) -> None:
        super().__init__(fast=True)
        self.verified: list[str | None] = []

    def verify(self, password_hash: str | None, password: str) -> bool:
        self.verified.append(password_hash)
        return super().verify(password_hash, password)


async def test_unknown_email_costs_one_hash_verification_too(gql: Any, runtime: Any,
                                                              monkeypatch: Any) -> None:
    hasher = CountingHasher()
    monkeypatch.setattr(runtime, "passwords", hasher)
    await make_account(runtime, email="ann@example.com", password_hash=hasher.hash(PASSWORD))
    await gql.data(LOGIN, {"email": "nobody@example.com", "password": PASSWORD})
    await gql.data(LOGIN, {"email": "ann@example.com", "password": "wrong pass"})
    assert len(hasher.verified) == 2
    assert hasher.verified[0] is None and hasher.verified[1] is not None


async def test_an_account_without_password_cannot_log_in(gql: Any, runtime: Any) -> None:
    await make_account(runtime, email="sso@example.com", password_hash=None)
    payload = (await gql.data(LOGIN, {"email": "sso@example.com", "password": PASSWORD}))
    assert codes(payload["login"]) == [("INVALID_CREDENTIALS", None)]


# ---------------------------------------------------------------- tokenRefresh
async def test_refresh_rotates_the_token(gql: Any, runtime: Any, clock: Any) -> None:
    registered = await register(gql)
    clock.advance(minutes=20)  # the access token has expired; the refresh token has not
    refreshed = (await gql.data(REFRESH, {"t": registered["refreshToken"]}))["tokenRefresh"]
    assert refreshed["userErrors"] == []
    assert refreshed["user"]["id"] == registered["user"]["id"]
    assert refreshed["refreshToken"] not in (None, registered["refreshToken"])
    assert refreshed["expiresAt"] == (clock.now() + timedelta(minutes=15)).isoformat()
    me = (await gql.data(ME, token=refreshed["token"]))["me"]
    assert me["id"] == registered["user"]["id"]
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(select(refresh_tokens))).all()
    assert len({row.family for row in rows}) == 1
    stored = {row.token_hash for row in rows}
    assert stored == {hashlib.sha256(t.encode()).hexdigest()
                      for t in (registered["refreshToken"], refreshed["refreshToken"])}


async def test_reusing_a_refresh_token_revokes_its_family(gql: Any) -> None:
    registered = await register(gql, email="ann@example.com")
    other_session = (await gql.data(LOGIN, {"email": "ann@example.com",
                                            "password": PASSWORD}))["login"]
    first = (await gql.data(REFRESH, {"t": registered["refreshToken"]}))["tokenRefresh"]
    reused = (await gql.data(REFRESH, {"t": registered["refreshToken"]}))["tokenRefresh"]
    assert codes(reused) == [("INVALID_CREDENTIALS", None)]
    assert reused["token"] is None and reused["refreshToken"] is None
    # The token handed out by the first refresh belongs to the compromised family.
    descendant = (await gql.data(REFRESH, {"t": first["refreshToken"]}))["tokenRefresh"]
    assert codes(descendant) == [("INVALID_CREDENTIALS", None)]
    # Another sign-in of the same user is another family, untouched.
    unrelated = (await gql.data(REFRESH, {"t": other_session["refreshToken"]}))["tokenRefresh"]
    assert unrelated["userErrors"] == []


async def test_expired_and_unknown_refresh_tokens_are_invalid_credentials(
        gql: Any, clock: Any) -> None:
    registered = await register(gql)
    for token in ("", "garbage", "x" * 500):
        payload = (await gql.data(REFRESH, {"t": token}))["tokenRefresh"]
        assert codes(payload) == [("INVALID_CREDENTIALS", None)]
    clock.advance(days=31)
    expired = (await gql.data(REFRESH, {"t": registered["refreshToken"]}))["tokenRefresh"]
    assert codes(expired) == [("INVALID_CREDENTIALS", None)]


async def test_concurrent_refreshes_of_one_token_let_only_one_through(gql: Any) -> None:
    registered = await register(gql)
    results = await asyncio.gather(*[
        gql.data(REFRESH, {"t": registered["refreshToken"]}) for _ in range(4)])
    ok = [r["tokenRefresh"] for r in results if not r["tokenRefresh"]["userErrors"]]
    assert len(ok) <= 1
    assert sum(1 for r in results if r["tokenRefresh"]["userErrors"]) >= 3
