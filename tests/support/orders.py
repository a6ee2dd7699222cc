"""The order journey several test modules walk through the API: fill a cart from fresh
products, start and address a checkout, complete it with a payment method; the documents they
send, and reads of the stock levels and ledger balances the journey moves."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.ids import encode_id
from persistence.tables import ledger_accounts, stock
from tests.support.factories import make_product

CA = {"fullName": "Ada Buyer", "line1": "1 Market St", "city": "San Francisco",
      "region": "CA", "postalCode": "94105", "country": "US"}
ADD = """mutation($v: ID!, $q: Int!) { cartAddLine(input: {variantId: $v, quantity: $q}) {
  userErrors { code } } }"""
START = "mutation { checkoutStart { checkout { id } userErrors { code } } }"
UPDATE = """mutation($id: ID!, $input: CheckoutUpdateInput!) { checkoutUpdate(id: $id,
  input: $input) { checkout { pricing { total { minorUnits } } } userErrors { code message } } }"""
ORDER_FIELDS = """id number status paymentDueAt confirmedAt loyaltyPointsUsed loyaltyPointsEarned
  pricing { subtotal { minorUnits } discountTotal { minorUnits } shipping { minorUnits }
            tax { minorUnits } total { minorUnits } }
  lines { sku productName quantity unitPrice { minorUnits } total { minorUnits }
          seller { id } variant { sku } }
  shipments { id status seller { id } lines { sku quantity } estimatedDelivery }
  payments { status amount { minorUnits } provider providerReference clientSecret
             failureMessage nextAction { type url } }
  statusHistory { status } shippingAddress { city region } shippingMethod { code } buyer { id }"""
COMPLETE = f"""mutation($id: ID!, $input: CheckoutCompleteInput!) {{
  checkoutComplete(id: $id, input: $input) {{
    order {{ {ORDER_FIELDS} }} payment {{ status providerReference clientSecret
      nextAction {{ type url }} failureMessage }}
    userErrors {{ code field message }} }} }}"""
RETRY = """mutation($order: ID!, $pm: String!, $key: String!) {
  orderRetryPayment(orderId: $order, paymentMethod: $pm, idempotencyKey: $key) {
    order { status } payment { status } userErrors { code field message } } }"""
GET = f"query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"


async def checkout(gql: Any, runtime: Any, buyer: Any, sellers_prices: list[tuple[Any, int]],
                   quantity: int = 1, **update_input: Any) -> tuple[str, list[Any]]:
    made = []
    for seller, price in sellers_prices:
        product = await make_product(runtime, seller.seller_id, prices=[price], stock_each=10,
                                     name=f"Item {price}")
        made.append(product)
        body = await gql.data(ADD, {"v": encode_id("ProductVariant", product.variant_ids[0]),
                                    "q": quantity}, token=buyer.token)
        assert body["cartAddLine"]["userErrors"] == []
    sid = (await gql.data(START, token=buyer.token))["checkoutStart"]["checkout"]["id"]
    update = {"shippingAddress": CA, "shippingMethodCode": "STANDARD", **update_input}
    result = (await gql.data(UPDATE, {"id": sid, "input": update}, token=buyer.token))
    assert result["checkoutUpdate"]["userErrors"] == [], result
    return sid, made


async def complete(gql: Any, token: str, sid: str, pm: str = "pm_card_visa",
                   key: str = "key-1") -> dict[str, Any]:
    body = await gql.data(COMPLETE, {"id": sid, "input": {"paymentMethod": pm,
                                                           "idempotencyKey": key}}, token=token)
    return body["checkoutComplete"]  # type: ignore[no-any-return]


CANCEL = """mutation($id: ID!) { orderCancel(orderId: $id, reason: "changed my mind") {
  order { status statusHistory { status } shipments { status } payments { status
          refundedAmount { minorUnits } } }
  userErrors { code field message } } }"""
REFUND = """mutation($id: ID!, $amount: Int!) { orderRefund(orderId: $id,
  amountMinorUnits: $amount, reason: "damaged") {
  payment { status refundedAmount { minorUnits } } order { status }
  userErrors { code field message } } }"""


async def stock_level(runtime: Any, variant_id: int) -> Any:
    async with runtime.db.read_engine.connect() as conn:
        return (await conn.execute(select(stock).where(stock.c.variant_id == variant_id))).one()


async def ledger_balances(runtime: Any) -> dict[str, int]:
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(select(ledger_accounts.c.name,
                                          ledger_accounts.c.balance_minor))).all()
    return {name: balance for name, balance in rows}
