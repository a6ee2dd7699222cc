"""Strings with NUL characters are cleaned at the boundary, never a database fault."""
from __future__ import annotations

from typing import Any

from tests.support.factories import make_account

REGISTER = """mutation($email: String!, $name: String!) { register(input: {email: $email,
  password: "long-enough-password", name: $name}) { user { name email } userErrors { code } } }"""


async def test_nul_characters_are_removed_from_variables(gql: Any) -> None:
    body = await gql.data(REGISTER, {"email": "nul\x00user@example.com", "name": "Ada\x00 L"})
    assert body["register"]["userErrors"] == []
    assert body["register"]["user"] == {"name": "Ada L", "email": "nuluser@example.com"}


async def test_nul_characters_are_removed_from_literals(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    body = await gql.data('mutation { productCreate(input: {name: "Lamp\\u0000 One", '
                          'variants: [{sku: "LAMP\\u0000-1", name: "Std", priceMinorUnits: 100}]})'
                          ' { product { name variants { sku } } userErrors { code } } }',
                          token=seller.token)
    assert body["productCreate"]["product"] == {"name": "Lamp One",
                                                "variants": [{"sku": "LAMP-1"}]}
    found = await gql.data('{ variant(sku: "LAMP\\u0000-1") { sku } }', token=seller.token)
    assert found["variant"] == {"sku": "LAMP-1"}  # a DRAFT product: its seller sees it
