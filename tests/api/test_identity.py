"""Identity through the GraphQL API: register, login, tokenRefresh, me, addresses, saved
payment methods and node(id:) visibility, with every error code those mutations answer."""
from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from domain.ids import encode_id
from persistence.tables import (
    addresses,
    ledger_accounts,
    payment_methods,
    refresh_tokens,
    sellers,
    users,
)
from adapters.security.passwords import Argon2PasswordHasher
from tests.support.client import unique_email
from tests.support.factories import make_account, make_product

AUTH_FIELDS = """token expiresAt refreshToken
  user { id email name accountType seller { id displayName } }
  userErrors { code field message }"""
REGISTER = f"""mutation($input: RegisterInput!) {{ register(input: $input) {{ {AUTH_FIELDS} }} }}"""
LOGIN = f"""mutation($email: String!, $password: String!) {{
  login(email: $email, password: $password) {{ {AUTH_FIELDS} }} }}"""
REFRESH = f"""mutation($t: String!) {{ tokenRefresh(refreshToken: $t) {{ {AUTH_FIELDS} }} }}"""
ME = """{ me { id email name accountType seller { id displayName }
  addresses { id fullName line1 line2 city region postalCode country phone isDefault }
  paymentMethods { id providerToken brand last4 isDefault } } }"""
ADDRESS_FIELDS = """address { id fullName line1 line2 city region postalCode country phone
  isDefault } userErrors { code field message }"""
ADDRESS_ADD = f"""mutation($input: AddressInput!, $isDefault: Boolean) {{
  addressAdd(input: $input, isDefault: $isDefault) {{ {ADDRESS_FIELDS} }} }}"""
ADDRESS_REMOVE = f"""mutation($id: ID!) {{ addressRemove(id: $id) {{ {ADDRESS_FIELDS} }} }}"""
PM_ADD = """mutation($token: String!, $isDefault: Boolean) {
  paymentMethodAdd(providerToken: $token, isDefault: $isDefault) {
    paymentMethod { id providerToken brand last4 isDefault }
    userErrors { code field message } } }"""
NODE = """query($id: ID!) { node(id: $id) { __typename id
  ... on User { email accountType addresses { id } paymentMethods { id } }
  ... on Address { city isDefault }
  ... on SavedPaymentMethod { brand last4 }
  ... on Seller { displayName } } }"""

PASSWORD = "correct horse battery"
HOME = {"fullName": "Ann Lee", "line1": "1 Main St", "city": "Los Angeles", "region": "CA",
        "postalCode": "90001", "country": "US"}


def buyer_input(**overrides: Any) -> dict[str, Any]:
    return {"email": unique_email("buyer"), "password": PASSWORD, "name": "Ann Lee",
            **overrides}


async def register(gql: Any, **overrides: Any) -> dict[str, Any]:
    data = await gql.data(REGISTER, {"input": buyer_input(**overrides)})
    return data["register"]  # type: ignore[no-any-return]


async def scalar(runtime: Any, stmt: Any) -> Any:
    async with runtime.db.read_engine.connect() as conn:
        return (await conn.execute(stmt)).scalar()


async def count(runtime: Any, table: Any) -> int:
    return int(await scalar(runtime, select(func.count()).select_from(table)))


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


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


# ---------------------------------------------------------------- me
async def test_me_is_null_without_a_token(gql: Any) -> None:
    assert (await gql.data(ME)) == {"me": None}


async def test_me_and_its_relations_cost_a_few_statements(gql: Any, runtime: Any,
                                                          statements: Any) -> None:
    seller = await register(gql, accountType="SELLER", sellerDisplayName="Shop")
    token = seller["token"]
    for i in range(3):
        await gql.data(ADDRESS_ADD, {"input": {**HOME, "line1": f"{i} Main St"}}, token=token)
        await gql.data(PM_ADD, {"token": f"pm_card_{i}"}, token=token)
    statements.reset()
    me = (await gql.data(ME, token=token))["me"]
    assert (len(me["addresses"]), len(me["paymentMethods"])) == (3, 3)
    assert me["seller"]["displayName"] == "Shop"
    assert statements.count <= 12  # user, addresses, payment methods, seller, BEGIN/ROLLBACK


# ---------------------------------------------------------------- addresses
async def test_the_first_address_is_the_default_and_is_default_moves_it(gql: Any) -> None:
    token = (await register(gql))["token"]
    first = (await gql.data(ADDRESS_ADD, {"input": {
        **HOME, "country": " us ", "region": "ca", "line2": " ", "phone": "+1 555 010 0000",
    }}, token=token))["addressAdd"]
    assert first["userErrors"] == []
    assert first["address"] | {"id": None} == {
        "id": None, "fullName": "Ann Lee", "line1": "1 Main St", "line2": None,
        "city": "Los Angeles", "region": "CA", "postalCode": "90001", "country": "US",
        "phone": "+1 555 010 0000", "isDefault": True}
    second = (await gql.data(ADDRESS_ADD, {"input": {**HOME, "city": "Oakland"}},
                             token=token))["addressAdd"]
    assert second["address"]["isDefault"] is False
    third = (await gql.data(ADDRESS_ADD, {"input": {**HOME, "city": "Fresno"}, "isDefault": True},
                            token=token))["addressAdd"]
    assert third["address"]["isDefault"] is True
    listed = (await gql.data(ME, token=token))["me"]["addresses"]
    assert [(a["city"], a["isDefault"]) for a in listed] == [
        ("Los Angeles", False), ("Oakland", False), ("Fresno", True)]


async def test_address_validation_names_the_fields(gql: Any, runtime: Any) -> None:
    token = (await register(gql))["token"]
    payload = (await gql.data(ADDRESS_ADD, {"input": {
        **HOME, "country": "USA", "region": " ", "fullName": ""}}, token=token))["addressAdd"]
    assert payload["address"] is None
    assert codes(payload) == [("INVALID_INPUT", ["input", "fullName"]),
                              ("INVALID_INPUT", ["input", "region"]),
                              ("INVALID_INPUT", ["input", "country"])]
    assert await count(runtime, addresses) == 0


async def test_address_remove(gql: Any, runtime: Any) -> None:
    ann = (await register(gql))["token"]
    bob = (await register(gql))["token"]
    home = (await gql.data(ADDRESS_ADD, {"input": HOME}, token=ann))["addressAdd"]["address"]
    work = (await gql.data(ADDRESS_ADD, {"input": {**HOME, "city": "Oakland"}},
                           token=ann))["addressAdd"]["address"]
    # Someone else's address, a foreign id and garbage: NOT_FOUND, nothing changes.
    for token, address_id in ((bob, home["id"]), (ann, encode_id("Product", 1)),
                              (ann, "garbage")):
        payload = (await gql.data(ADDRESS_REMOVE, {"id": address_id}, token=token))
        assert codes(payload["addressRemove"]) == [("NOT_FOUND", ["id"])]
    assert await count(runtime, addresses) == 2
    # Removing the default returns it and makes the remaining address the default.
    removed = (await gql.data(ADDRESS_REMOVE, {"id": home["id"]}, token=ann))["addressRemove"]
    assert removed["userErrors"] == [] and removed["address"] == home
    listed = (await gql.data(ME, token=ann))["me"]["addresses"]
    assert [(a["id"], a["isDefault"]) for a in listed] == [(work["id"], True)]
    again = (await gql.data(ADDRESS_REMOVE, {"id": home["id"]}, token=ann))["addressRemove"]
    assert codes(again) == [("NOT_FOUND", ["id"])]


# ---------------------------------------------------------------- payment methods
async def test_payment_methods_describe_stripe_test_cards(gql: Any) -> None:
    token = (await register(gql))["token"]
    added = []
    for pm in ("pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_1AbC9876"):
        payload = (await gql.data(PM_ADD, {"token": pm}, token=token))["paymentMethodAdd"]
        assert payload["userErrors"] == []
        added.append(payload["paymentMethod"])
    assert [(m["providerToken"], m["brand"], m["last4"], m["isDefault"]) for m in added] == [
        ("pm_card_visa", "visa", "4242", True), ("pm_card_mastercard", "mastercard", "4444", False),
        ("pm_card_amex", "amex", "8431", False), ("pm_1AbC9876", "card", "9876", False)]
    listed = (await gql.data(ME, token=token))["me"]["paymentMethods"]
    assert listed == added


async def test_saving_a_token_twice_returns_the_saved_method(gql: Any, runtime: Any) -> None:
    token = (await register(gql))["token"]
    visa = (await gql.data(PM_ADD, {"token": "pm_card_visa"}, token=token))["paymentMethodAdd"]
    amex = (await gql.data(PM_ADD, {"token": "pm_card_amex"}, token=token))["paymentMethodAdd"]
    again = (await gql.data(PM_ADD, {"token": "pm_card_amex", "isDefault": True},
                            token=token))["paymentMethodAdd"]
    assert again["userErrors"] == []
    assert again["paymentMethod"] == {**amex["paymentMethod"], "isDefault": True}
    listed = (await gql.data(ME, token=token))["me"]["paymentMethods"]
    assert [(m["id"], m["isDefault"]) for m in listed] == [
        (visa["paymentMethod"]["id"], False), (amex["paymentMethod"]["id"], True)]
    assert await count(runtime, payment_methods) == 2


async def test_payment_method_token_must_be_a_pm_id(gql: Any, runtime: Any) -> None:
    token = (await register(gql))["token"]
    for bad in ("tok_visa", "4242424242424242", "", "pm_"):
        payload = (await gql.data(PM_ADD, {"token": bad}, token=token))["paymentMethodAdd"]
        assert codes(payload) == [("INVALID_INPUT", ["providerToken"])]
        assert payload["paymentMethod"] is None
    assert await count(runtime, payment_methods) == 0


async def test_address_and_payment_mutations_need_a_user(gql: Any) -> None:
    for query, variables in ((ADDRESS_ADD, {"input": HOME}),
                             (ADDRESS_REMOVE, {"id": encode_id("Address", 1)}),
                             (PM_ADD, {"token": "pm_card_visa"})):
        body = await gql(query, variables)
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


# ---------------------------------------------------------------- node(id:)
async def test_node_visibility(gql: Any, runtime: Any) -> None:
    ann = await register(gql)
    bob = await register(gql)
    admin = await make_account(runtime, "ADMIN")
    seller = await register(gql, accountType="SELLER", sellerDisplayName="Shop")
    address = (await gql.data(ADDRESS_ADD, {"input": HOME},
                              token=ann["token"]))["addressAdd"]["address"]
    method = (await gql.data(PM_ADD, {"token": "pm_card_visa"},
                             token=ann["token"]))["paymentMethodAdd"]["paymentMethod"]
    user_id = ann["user"]["id"]

    async def node(node_id: str, token: str | None) -> Any:
        return (await gql.data(NODE, {"id": node_id}, token=token))["node"]

    mine = await node(user_id, ann["token"])
    assert (mine["__typename"], mine["addresses"], mine["paymentMethods"]) == (
        "User", [{"id": address["id"]}], [{"id": method["id"]}])
    as_admin = await node(user_id, admin.token)
    assert as_admin["addresses"] == [{"id": address["id"]}]
    assert await node(user_id, bob["token"]) is None
    assert await node(user_id, None) is None

    assert (await node(address["id"], ann["token"]))["city"] == "Los Angeles"
    assert (await node(address["id"], admin.token))["__typename"] == "Address"
    assert await node(address["id"], bob["token"]) is None
    assert await node(address["id"], None) is None

    assert (await node(method["id"], ann["token"]))["last4"] == "4242"
    assert await node(method["id"], bob["token"]) is None

    shop = seller["user"]["seller"]
    assert (await node(shop["id"], None)) == {"__typename": "Seller", "id": shop["id"],
                                              "displayName": "Shop"}
    assert await node(encode_id("Address", 999), ann["token"]) is None


async def test_seller_products_come_from_the_catalogue(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    active = await make_product(runtime, seller.seller_id, name="Lamp")
    await make_product(runtime, seller.seller_id, status="DRAFT")
    body = await gql.data("""query($id: ID!) { node(id: $id) { ... on Seller {
        displayName products(first: 5) { totalCount edges { node { id name } } } } } }""",
                          {"id": encode_id("Seller", seller.seller_id)})
    products = body["node"]["products"]
    assert products["totalCount"] == 1
    assert [e["node"]["id"] for e in products["edges"]] == [encode_id("Product", active.id)]
