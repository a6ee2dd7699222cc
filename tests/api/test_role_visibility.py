"""What each role sees of an order (docs/rules.md, "What each role sees"): a seller sees what
it needs to ship its own lines (the recipient's name and shipping address, its lines and its
shipment), never the buyer's e-mail, phone, billing address, notes, loyalty points or
payments; the buyer and admins see the whole order."""
from __future__ import annotations

from typing import Any

import pytest

from tests.support.factories import Account, make_account
from tests.support.orders import CA, checkout, complete

PHONE_CA = {**CA, "phone": "+1 415 555 0100"}
BILLING = {"fullName": "Ada Billing", "line1": "9 Bill St", "city": "Oakland", "region": "CA",
           "postalCode": "94607", "country": "US", "phone": "+1 510 555 0199"}
SAFE = """id number status createdAt confirmedAt
  shippingAddress { fullName line1 line2 city region postalCode country phone }
  shippingMethod { code } pricing { total { minorUnits } }
  lines { sku } shipments { id status } statusHistory { status }
  billingAddress { fullName } notes paymentDueAt payments { status }"""
ORDER = f"query($id: ID!) {{ order(id: $id) {{ {SAFE} }} }}"
VIA_SHIPMENTS = f"{{ sellerShipments(first: 5) {{ edges {{ node {{ order {{ {SAFE} }} }} }} }} }}"
# Non-null fields a seller may not see: asking for them is FORBIDDEN.
FORBIDDEN_FOR_SELLERS = ["buyer { email }", "buyer { name }", "loyaltyPointsEarned",
                         "loyaltyPointsUsed"]


async def _two_seller_order(gql: Any, runtime: Any) -> tuple[str, Account, Account, Account]:
    a = await make_account(runtime, "SELLER")
    b = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(a, 1000), (b, 2000)],
                             shippingAddress=PHONE_CA, billingAddress=BILLING,
                             notes="call me on my mobile")
    placed = await complete(gql, buyer.token, sid)
    assert placed["userErrors"] == [], placed
    return placed["order"]["id"], a, b, buyer


async def test_a_seller_sees_only_what_it_needs_to_ship(gql: Any, runtime: Any) -> None:
    order_id, a, _, _ = await _two_seller_order(gql, runtime)
    seen = (await gql.data(ORDER, {"id": order_id}, token=a.token))["order"]
    via_shipments = (await gql.data(VIA_SHIPMENTS, token=a.token))["sellerShipments"]
    assert [e["node"]["order"] for e in via_shipments["edges"]] == [seen]
    assert seen["shippingAddress"] == {**{k: PHONE_CA[k] for k in (
        "fullName", "line1", "city", "region", "postalCode", "country")},
        "line2": None, "phone": None}
    assert len(seen["lines"]) == 1 and len(seen["shipments"]) == 1
    assert (seen["billingAddress"], seen["notes"], seen["paymentDueAt"], seen["payments"]) == (
        None, None, None, [])
    buyer = (await gql.data("query($id: ID!) { order(id: $id) { buyer { id accountType } } }",
                            {"id": order_id}, token=a.token))["order"]["buyer"]
    assert buyer["accountType"] == "BUYER"  # the account's id only, no e-mail nor name


@pytest.mark.parametrize("field", FORBIDDEN_FOR_SELLERS)
async def test_a_seller_asking_for_the_buyer_s_details_is_forbidden(
        gql: Any, runtime: Any, field: str) -> None:
    order_id, a, _, _ = await _two_seller_order(gql, runtime)
    body = await gql(f"query($id: ID!) {{ order(id: $id) {{ number {field} }} }}",
                     {"id": order_id}, token=a.token)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["data"]["order"] is None


async def test_the_buyer_and_admins_see_the_whole_order(gql: Any, runtime: Any) -> None:
    order_id, _, _, buyer = await _two_seller_order(gql, runtime)
    admin = await make_account(runtime, "ADMIN")
    query = (f"query($id: ID!) {{ order(id: $id) {{ {SAFE} "
             f"{' '.join(FORBIDDEN_FOR_SELLERS)} }} }}")
    for who in (buyer, admin):
        seen = (await gql.data(query, {"id": order_id}, token=who.token))["order"]
        assert seen["shippingAddress"]["phone"] == PHONE_CA["phone"]
        assert seen["billingAddress"] == {"fullName": "Ada Billing"}
        assert seen["notes"] == "call me on my mobile"
        assert seen["buyer"]["email"] and len(seen["lines"]) == 2
        assert [p["status"] for p in seen["payments"]] == ["SUCCEEDED"]
