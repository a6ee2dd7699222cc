"""Identity through the API: the operations and small helpers the identity tests share."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from tests.support.client import unique_email

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
