"""Fulfilment steps several test modules take through the API: a paid order with one shipment
per seller, a seller processing, shipping and delivering a shipment, and a carrier report
signed the way the carrier webhook checks it."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from domain.ids import encode_id
from tests.support.factories import Account, make_account
from tests.support.orders import checkout, complete

SHIPMENT_FIELDS = "id status carrier trackingNumber shippedAt deliveredAt"
PROCESS = f"""mutation($id: ID!) {{ shipmentProcess(id: $id) {{
  shipment {{ {SHIPMENT_FIELDS} }} userErrors {{ code field message }} }} }}"""
SHIP = f"""mutation($id: ID!, $carrier: String!, $tracking: String!) {{
  shipmentShip(id: $id, carrier: $carrier, trackingNumber: $tracking) {{
  shipment {{ {SHIPMENT_FIELDS} }} userErrors {{ code field message }} }} }}"""
DELIVER = f"""mutation($id: ID!) {{ shipmentMarkDelivered(id: $id) {{
  shipment {{ {SHIPMENT_FIELDS} }} userErrors {{ code field message }} }} }}"""


async def process_shipment(gql: Any, who: Account, shipment_id: str) -> dict[str, Any]:
    body = await gql.data(PROCESS, {"id": shipment_id}, token=who.token)
    return body["shipmentProcess"]  # type: ignore[no-any-return]


async def ship_shipment(gql: Any, who: Account, shipment_id: str, tracking: str,
                        carrier: str = "UPS") -> dict[str, Any]:
    body = await gql.data(SHIP, {"id": shipment_id, "carrier": carrier, "tracking": tracking},
                          token=who.token)
    return body["shipmentShip"]  # type: ignore[no-any-return]


async def deliver_shipment(gql: Any, who: Account, shipment_id: str) -> dict[str, Any]:
    body = await gql.data(DELIVER, {"id": shipment_id}, token=who.token)
    return body["shipmentMarkDelivered"]  # type: ignore[no-any-return]


async def paid_order(gql: Any, runtime: Any, sellers: list[Account], *, quantity: int = 2,
                     pm: str = "pm_card_visa") -> tuple[dict[str, Any], dict[int, str],
                                                        list[Any], Account]:
    """A placed order with one line (and one shipment) per seller: the order, each seller's
    shipment id by seller id, the products made, and the buyer."""
    buyer = await make_account(runtime)
    sid, made = await checkout(gql, runtime, buyer,
                               [(s, 1000 + i * 500) for i, s in enumerate(sellers)],
                               quantity=quantity)
    placed = await complete(gql, buyer.token, sid, pm=pm)
    order = placed["order"]
    by_seller = {s.seller_id: next(sh["id"] for sh in order["shipments"]
                                   if sh["seller"]["id"] == encode_id("Seller", s.seller_id))
                 for s in sellers}
    return order, by_seller, made, buyer  # type: ignore[return-value]


def sign_carrier_report(body: dict[str, Any] | bytes,
                        secret: str) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Carrier-Signature": f"sha256={digest}",
                 "Content-Type": "application/json"}
