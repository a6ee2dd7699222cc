"""Tokens of changed accounts: a role change, a disabled account, a deleted account and a
revoked refresh family take effect on the account's next request, through admin operations
that are written to an audit trail only admins can read (docs/rules.md, "Sessions and
secrets")."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from domain.ids import encode_id
from persistence.tables import ledger_accounts, sellers, users
from tests.support.client import unique_email
from tests.support.factories import Account, make_account

USER = "user { id accountType disabledAt seller { displayName } }"
ERRORS = "userErrors { code field message }"
SET_ROLE = f"""mutation($id: ID!, $role: AccountType!) {{
  adminSetUserRole(userId: $id, role: $role) {{ {USER} {ERRORS} }} }}"""
DISABLE = f"""mutation($id: ID!, $reason: String!) {{
  adminDisableUser(userId: $id, reason: $reason) {{ {USER} {ERRORS} }} }}"""
ENABLE = f"""mutation($id: ID!) {{ adminEnableUser(userId: $id) {{ {USER} {ERRORS} }} }}"""
AUDIT = """query($first: Int, $after: String) { adminAuditLog(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { action actorId targetId createdAt details { key value }
                 actor { email } target { email accountType } } } } }"""
ME = "{ me { accountType seller { displayName } } }"
SELLER_PRODUCTS = "{ sellerProducts(first: 5) { totalCount } }"
PRODUCT_CREATE = """mutation($input: ProductCreateInput!) { productCreate(input: $input) {
  product { id } userErrors { code } } }"""
PM_ADD = """mutation { paymentMethodAdd(providerToken: "pm_card_visa") {
  paymentMethod { id } userErrors { code } } }"""
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  token refreshToken userErrors { code } } }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token refreshToken userErrors { code message } } }"""
REFRESH = """mutation($t: String!) { tokenRefresh(refreshToken: $t) {
  token refreshToken userErrors { code } } }"""


def uid(account: Account | int) -> str:
    return encode_id("User", account.user_id if isinstance(account, Account) else account)


def top_code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def product_create(gql: Any, token: str) -> dict[str, Any]:
    body = await gql(PRODUCT_CREATE, {"input": {
        "name": "Lamp", "description": "", "status": "ACTIVE", "imageUrls": [],
        "variants": [{"sku": f"L-{unique_email()[:14]}", "name": "One",
                      "priceMinorUnits": 1000}]}}, token=token)
    return body


def forbidden(body: dict[str, Any], field: str) -> bool:
    if top_code(body) == "FORBIDDEN":
        return True
    payload = (body.get("data") or {}).get(field) or {}
    return [e["code"] for e in payload.get("userErrors", [])] == ["FORBIDDEN"]


async def register(gql: Any, **extra: Any) -> tuple[str, str, str]:
    email, password = unique_email(), "a-good-password"
    body = await gql.data(REGISTER, {"input": {"email": email, "password": password,
                                               "name": "Ann", **extra}})
    assert body["register"]["userErrors"] == []
    return email, body["register"]["token"], body["register"]["refreshToken"]


# ---------------------------------------------------------------- roles
async def test_a_demoted_seller_is_forbidden_seller_work_on_the_next_request(
        gql: Any, runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    seller = await make_account(runtime, "SELLER")
    created = await product_create(gql, seller.token)
    assert created["data"]["productCreate"]["userErrors"] == []
    assert top_code(await gql(SELLER_PRODUCTS, token=seller.token)) is None

    result = (await gql.data(SET_ROLE, {"id": uid(seller), "role": "BUYER"},
                             token=admin.token))["adminSetUserRole"]
    assert result["userErrors"] == [] and result["user"]["accountType"] == "BUYER"

    assert forbidden(await product_create(gql, seller.token), "productCreate")
    assert top_code(await gql(SELLER_PRODUCTS, token=seller.token)) == "FORBIDDEN"
    assert (await gql.data(ME, token=seller.token))["me"]["accountType"] == "BUYER"

    await gql.data(SET_ROLE, {"id": uid(seller), "role": "SELLER"}, token=admin.token)
    assert (await gql(SELLER_PRODUCTS, token=seller.token))["data"]["sellerProducts"][
        "totalCount"] == 1  # the same seller row and products again


async def test_a_buyer_made_seller_gets_a_seller_row_and_ledger_account(
        gql: Any, runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    buyer = await make_account(runtime, "BUYER", name="Bea")
    assert forbidden(await product_create(gql, buyer.token), "productCreate")
    result = (await gql.data(SET_ROLE, {"id": uid(buyer), "role": "SELLER"},
                             token=admin.token))["adminSetUserRole"]
    assert result["user"]["seller"] == {"displayName": "Bea"}
    created = await product_create(gql, buyer.token)  # the same token, seller powers now
    assert created["data"]["productCreate"]["userErrors"] == []
    async with runtime.db.read_engine.connect() as conn:
        seller_id = (await conn.execute(select(sellers.c.id).where(
            sellers.c.user_id == buyer.user_id))).scalar_one()
        account = (await conn.execute(select(ledger_accounts.c.balance_minor).where(
            ledger_accounts.c.name == f"SELLER_PAYABLE:{encode_id('Seller', seller_id)}"
        ))).scalar_one()
    assert account == 0


async def test_role_changes_are_for_admins_only(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime, "BUYER")
    for caller in (seller, buyer):
        body = await gql(SET_ROLE, {"id": uid(buyer), "role": "ADMIN"}, token=caller.token)
        assert top_code(body) == "FORBIDDEN"
        assert top_code(await gql(DISABLE, {"id": uid(seller), "reason": "x"},
                                  token=caller.token)) == "FORBIDDEN"
    assert top_code(await gql(ENABLE, {"id": uid(buyer)})) == "UNAUTHENTICATED"
    assert (await gql.data(ME, token=buyer.token))["me"]["accountType"] == "BUYER"


async def test_admin_operations_refuse_bad_targets_with_user_errors(gql: Any,
                                                                    runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    buyer = await make_account(runtime, "BUYER")

    async def errors(query: str, **variables: Any) -> list[tuple[str, list[str] | None]]:
        body = await gql.data(query, variables, token=admin.token)
        payload = next(iter(body.values()))
        assert payload["user"] is None
        return [(e["code"], e["field"]) for e in payload["userErrors"]]

    assert await errors(SET_ROLE, id=uid(admin), role="BUYER") == [("FORBIDDEN", ["userId"])]
    assert await errors(DISABLE, id=uid(admin), reason="oops") == [("FORBIDDEN", ["userId"])]
    assert await errors(SET_ROLE, id=uid(99999), role="BUYER") == [("NOT_FOUND", ["userId"])]
    assert await errors(SET_ROLE, id="not-an-id", role="BUYER") == [("NOT_FOUND", ["userId"])]
    assert await errors(DISABLE, id=uid(buyer), reason="   ") == [("INVALID_INPUT", ["reason"])]
    assert await errors(DISABLE, id=uid(buyer), reason="r" * 501) == [
        ("INVALID_INPUT", ["reason"])]
    assert (await gql.data(AUDIT, token=admin.token))["adminAuditLog"]["totalCount"] == 0


# ---------------------------------------------------------------- disabled accounts
async def test_a_disabled_account_is_signed_out_at_once_and_cannot_sign_in(
        gql: Any, runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    email, token, refresh = await register(gql)
    user_id = (await gql.data("{ me { id } }", token=token))["me"]["id"]

    result = (await gql.data(DISABLE, {"id": user_id, "reason": "chargeback fraud"},
                             token=admin.token))["adminDisableUser"]
    assert result["userErrors"] == [] and result["user"]["disabledAt"] is not None

    assert top_code(await gql(ME, token=token)) == "UNAUTHENTICATED"
    login = (await gql.data(LOGIN, {"email": email, "password": "a-good-password"}))["login"]
    assert login["token"] is None
    assert login["userErrors"] == [{"code": "INVALID_CREDENTIALS",
                                    "message": "This account is disabled."}]
    wrong = (await gql.data(LOGIN, {"email": email, "password": "wrong-password"}))["login"]
    assert wrong["userErrors"][0]["message"] == "Email or password is incorrect."
    refreshed = (await gql.data(REFRESH, {"t": refresh}))["tokenRefresh"]
    assert [e["code"] for e in refreshed["userErrors"]] == ["INVALID_CREDENTIALS"]

    again = (await gql.data(ENABLE, {"id": user_id}, token=admin.token))["adminEnableUser"]
    assert again["userErrors"] == [] and again["user"]["disabledAt"] is None
    assert top_code(await gql(ME, token=token)) == "UNAUTHENTICATED"  # old sessions stay ended
    login = (await gql.data(LOGIN, {"email": email, "password": "a-good-password"}))["login"]
    assert login["userErrors"] == []
    assert (await gql.data(ME, token=login["token"]))["me"]["accountType"] == "BUYER"


# ---------------------------------------------------------------- deleted accounts
async def test_a_deleted_accounts_token_is_unauthenticated_not_internal(
        gql: Any, runtime: Any, clock: Any) -> None:
    buyer = await make_account(runtime, "BUYER")
    assert (await gql.data(ME, token=buyer.token))["me"]["accountType"] == "BUYER"
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(delete(users).where(users.c.id == buyer.user_id))
    clock.advance(seconds=runtime.settings.account_cache_seconds + 1)
    for query in (ME, PM_ADD):
        body = await gql(query, token=buyer.token)
        assert top_code(body) == "UNAUTHENTICATED", body


async def test_a_never_seen_deleted_account_is_unauthenticated_at_once(
        gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime, "BUYER")
    async with runtime.db.write_engine.begin() as conn:
        await conn.execute(delete(users).where(users.c.id == buyer.user_id))
    body = await gql(PM_ADD, token=buyer.token)
    assert top_code(body) == "UNAUTHENTICATED", body


# ---------------------------------------------------------------- revoked refresh families
async def test_access_tokens_of_a_revoked_refresh_family_stop_working(gql: Any) -> None:
    email, first_token, first_refresh = await register(gql)
    other = (await gql.data(LOGIN, {"email": email, "password": "a-good-password"}))["login"]
    rotated = (await gql.data(REFRESH, {"t": first_refresh}))["tokenRefresh"]
    assert rotated["userErrors"] == []
    assert top_code(await gql(ME, token=rotated["token"])) is None

    reused = (await gql.data(REFRESH, {"t": first_refresh}))["tokenRefresh"]  # theft detected
    assert [e["code"] for e in reused["userErrors"]] == ["INVALID_CREDENTIALS"]

    for token in (first_token, rotated["token"]):
        assert top_code(await gql(ME, token=token)) == "UNAUTHENTICATED"
    assert top_code(await gql(ME, token=other["token"])) is None  # another sign-in lives on


# ---------------------------------------------------------------- audit trail
async def test_the_audit_trail_shows_who_did_what_to_whom_and_when(gql: Any,
                                                                   runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    buyer = await make_account(runtime, "BUYER")
    seller = await make_account(runtime, "SELLER")
    await gql.data(SET_ROLE, {"id": uid(buyer), "role": "SELLER"}, token=admin.token)
    await gql.data(SET_ROLE, {"id": uid(buyer), "role": "SELLER"}, token=admin.token)  # no-op
    await gql.data(DISABLE, {"id": uid(seller), "reason": "  fake shop "}, token=admin.token)
    await gql.data(ENABLE, {"id": uid(seller)}, token=admin.token)

    log = (await gql.data(AUDIT, {"first": 2}, token=admin.token))["adminAuditLog"]
    assert log["totalCount"] == 3 and log["pageInfo"]["hasNextPage"]
    nodes = [e["node"] for e in log["edges"]]
    assert [(n["action"], n["target"]["email"]) for n in nodes] == [
        ("ENABLE_USER", seller.email), ("DISABLE_USER", seller.email)]
    assert nodes[1]["details"] == [{"key": "reason", "value": "fake shop"}]
    assert all(n["actor"] == {"email": admin.email} and n["actorId"] == uid(admin)
               and n["createdAt"] for n in nodes)
    rest = (await gql.data(AUDIT, {"first": 2, "after": log["pageInfo"]["endCursor"]},
                           token=admin.token))["adminAuditLog"]
    [last] = [e["node"] for e in rest["edges"]]
    assert (last["action"], last["targetId"]) == ("SET_ROLE", uid(buyer))
    assert last["details"] == [{"key": "from", "value": "BUYER"},
                               {"key": "to", "value": "SELLER"}]
    assert last["target"]["accountType"] == "SELLER"


async def test_the_audit_trail_is_forbidden_to_everyone_but_admins(gql: Any,
                                                                   runtime: Any) -> None:
    for role in ("BUYER", "SELLER"):
        caller = await make_account(runtime, role)
        assert top_code(await gql(AUDIT, token=caller.token)) == "FORBIDDEN"
    assert top_code(await gql(AUDIT)) == "UNAUTHENTICATED"
