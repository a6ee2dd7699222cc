"""The cart through the API for tests: its documents (query, add, update, remove, merge) and
adding a line by variant primary key."""
from __future__ import annotations

from typing import Any

from domain.ids import encode_id

CART = """{ cart { id status totalQuantity subtotal { minorUnits currency amount } expiresAt
  lines { id quantity reservedUntil unitPrice { minorUnits } total { minorUnits }
          variant { sku } } } }"""
LINE_FIELDS = "cart { status totalQuantity subtotal { minorUnits } expiresAt " \
              "lines { id quantity reservedUntil variant { sku } } } " \
              "userErrors { code field message }"
ADD = f"""mutation($input: CartLineInput!) {{ cartAddLine(input: $input) {{ {LINE_FIELDS} }} }}"""
UPDATE = f"""mutation($id: ID!, $q: Int!) {{ cartUpdateLine(lineId: $id, quantity: $q) {{
  {LINE_FIELDS} }} }}"""
REMOVE = f"""mutation($id: ID!) {{ cartRemoveLine(lineId: $id) {{ {LINE_FIELDS} }} }}"""
MERGE = f"""mutation($lines: [CartLineInput!]!) {{ cartMergeGuest(lines: $lines) {{
  {LINE_FIELDS} }} }}"""


def vid(pk: int) -> str:
    return encode_id("ProductVariant", pk)


async def add(gql: Any, token: str, variant_pk: int, quantity: int) -> dict[str, Any]:
    body = await gql.data(ADD, {"input": {"variantId": vid(variant_pk), "quantity": quantity}},
                          token=token)
    return body["cartAddLine"]  # type: ignore[no-any-return]
