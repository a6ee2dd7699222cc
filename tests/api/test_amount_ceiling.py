"""The amount ceiling (docs/rules.md "Amount ceiling"): GraphQL's Int is 32-bit, so a cart,
checkout or order whose figures would not fit is refused with LIMIT_EXCEEDED and nothing
changes; a stored figure over the ceiling never fails a read."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from domain.catalog.rules import MAX_PRICE_MINOR
from domain.money import MAX_AMOUNT
from persistence.tables import cart_lines, order_lines, orders, payments, stock, variants
from tests.support.cart import CART, MERGE, UPDATE, add, vid
from tests.support.factories import make_account, make_product
from tests.support.orders import CA, START, checkout, complete

CHECKOUT_UPDATE = """mutation($id: ID!, $input: CheckoutUpdateInput!) {
  checkoutUpdate(id: $id, input: $input) {
    checkout { shippingMethod { code } shippingAddress { city } pricing { total { minorUnits } } }
    userErrors { code field message } } }"""
CHECKOUT = """query($id: ID!) { checkout(id: $id) { shippingMethod { code }
  shippingAddress { city } pricing { subtotal { minorUnits } total { minorUnits } } } }"""
GB = {"fullName": "Ada Buyer", "line1": "1 High St", "city": "London", "region": "LDN",
      "postalCode": "N1", "country": "GB"}
ORDER_LIST = """edges { node { number pricing { subtotal { minorUnits amount } total {
  minorUnits amount } } lines { quantity unitPrice { minorUnits } total { minorUnits amount }
  } } }"""
BUYER_LIST = f"{{ me {{ orders(first: 10) {{ {ORDER_LIST} }} }} }}"
ADMIN_LIST = f"{{ adminOrders(first: 10) {{ {ORDER_LIST} }} }}"


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def _reserved(runtime: Any, variant_id: int) -> int:
    async with runtime.db.read_engine.connect() as conn:
        return int((await conn.execute(select(stock.c.reserved).where(
            stock.c.variant_id == variant_id))).scalar_one())


async def test_a_cart_over_the_ceiling_is_refused_and_nothing_changes(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, seller.seller_id, prices=[MAX_PRICE_MINOR] * 3,
                              stock_each=100)
    v1, v2, v3 = made.variant_ids
    assert (await add(gql, buyer.token, v1, 60))["userErrors"] == []
    assert (await add(gql, buyer.token, v2, 40))["userErrors"] == []  # 100 units: fits
    refused = await add(gql, buyer.token, v3, 100)
    assert _codes(refused) == ["LIMIT_EXCEEDED"]
    assert refused["userErrors"][0]["field"] == ["input", "quantity"]
    assert await _reserved(runtime, v3) == 0
    cart = (await gql.data(CART, token=buyer.token))["cart"]
    assert [line["quantity"] for line in cart["lines"]] == [60, 40]
    assert cart["subtotal"]["minorUnits"] == MAX_PRICE_MINOR * 100 <= MAX_AMOUNT
    line_id = cart["lines"][1]["id"]
    raised = (await gql.data(UPDATE, {"id": line_id, "q": 41},
                             token=buyer.token))["cartUpdateLine"]
    assert _codes(raised) == ["LIMIT_EXCEEDED"]
    assert await _reserved(runtime, v2) == 40
    merged = (await gql.data(MERGE, {"lines": [{"variantId": vid(v3), "quantity": 1}]},
                             token=buyer.token))["cartMergeGuest"]
    assert _codes(merged) == ["LIMIT_EXCEEDED"]
    assert merged["userErrors"][0]["field"] == ["lines", "0", "quantity"]
    assert await _reserved(runtime, v3) == 0
    body = await gql(CART, token=buyer.token)
    assert "errors" not in body
    assert [line["quantity"] for line in body["data"]["cart"]["lines"]] == [60, 40]


async def test_tax_or_shipping_that_push_a_checkout_over_the_ceiling_are_refused(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, seller.seller_id, prices=[MAX_PRICE_MINOR],
                              stock_each=100)
    assert (await add(gql, buyer.token, made.variant_ids[0], 100))["userErrors"] == []
    started = (await gql.data(START, token=buyer.token))["checkoutStart"]
    assert started["userErrors"] == []  # free standard shipping, no address yet: fits
    sid = started["checkout"]["id"]
    taxed = (await gql.data(CHECKOUT_UPDATE, {"id": sid, "input": {"shippingAddress": CA}},
                            token=buyer.token))["checkoutUpdate"]
    assert _codes(taxed) == ["LIMIT_EXCEEDED"]  # 7.25 % California tax
    express = (await gql.data(CHECKOUT_UPDATE, {"id": sid, "input": {
        "shippingAddress": GB, "shippingMethodCode": "EXPRESS"}},
        token=buyer.token))["checkoutUpdate"]
    assert _codes(express) == ["LIMIT_EXCEEDED"]  # 14.99 express shipping
    shown = (await gql.data(CHECKOUT, {"id": sid}, token=buyer.token))["checkout"]
    assert shown["shippingAddress"] is None and shown["shippingMethod"]["code"] == "STANDARD"
    untaxed = (await gql.data(CHECKOUT_UPDATE, {"id": sid, "input": {"shippingAddress": GB}},
                              token=buyer.token))["checkoutUpdate"]
    assert untaxed["userErrors"] == []
    assert untaxed["checkout"]["pricing"]["total"]["minorUnits"] == MAX_PRICE_MINOR * 100


async def test_checkout_complete_refuses_an_order_over_the_ceiling_and_charges_nothing(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, made = await checkout(gql, runtime, buyer, [(seller, 1000)], shippingAddress=GB,
                                shippingMethodCode="EXPRESS")
    variant_id = made[0].variant_ids[0]
    async with runtime.db.write_engine.begin() as conn:  # a price set before the price cap,
        await conn.execute(update(variants).values(price_minor=MAX_AMOUNT))  # and seen
        await conn.execute(update(cart_lines).values(unit_price_minor=MAX_AMOUNT))
    refused = await complete(gql, buyer.token, sid)
    assert _codes(refused) == ["LIMIT_EXCEEDED"] and refused["order"] is None
    async with runtime.db.read_engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(orders))).scalar_one() == 0
        assert (await conn.execute(select(func.count()).select_from(payments))
                ).scalar_one() == 0
        level = (await conn.execute(select(stock).where(stock.c.variant_id == variant_id))).one()
    assert (level.reserved, level.allocated) == (1, 0)


async def test_a_stored_amount_over_the_ceiling_never_fails_an_order_list(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    numbers = []
    for n in range(2):
        sid, _ = await checkout(gql, runtime, buyer, [(seller, 1000 + n)], quantity=3)
        placed = await complete(gql, buyer.token, sid, key=f"k{n}")
        assert placed["userErrors"] == []
        numbers.append(placed["order"]["number"])
    async with runtime.db.write_engine.begin() as conn:  # a row written before the ceiling
        order_id = (await conn.execute(select(orders.c.id).where(
            orders.c.number == numbers[0]))).scalar_one()
        await conn.execute(update(order_lines).where(order_lines.c.order_id == order_id)
                           .values(unit_price_minor=MAX_AMOUNT))
        if runtime.db.is_sqlite:  # PostgreSQL's INTEGER cannot even hold it
            await conn.execute(update(orders).where(orders.c.id == order_id)
                               .values(subtotal_minor=3 * MAX_AMOUNT, total_minor=3 * MAX_AMOUNT))
    for query, token, root in ((BUYER_LIST, buyer.token, "me"),
                               (ADMIN_LIST, admin.token, "adminOrders")):
        body = await gql(query, token=token)
        data = body["data"][root]
        edges = (data["orders"] if root == "me" else data)["edges"]
        by_number = {e["node"]["number"]: e["node"] for e in edges}
        assert set(by_number) == set(numbers), body
        big, normal = by_number[numbers[0]], by_number[numbers[1]]
        assert normal["lines"][0]["total"]["minorUnits"] == 3 * 1001
        line = big["lines"][0]
        assert line["unitPrice"]["minorUnits"] == MAX_AMOUNT
        assert line["total"]["minorUnits"] == MAX_AMOUNT  # clamped, flagged below
        assert line["total"]["amount"] == f"{3 * MAX_AMOUNT // 100}.{3 * MAX_AMOUNT % 100:02d}"
        errors = body["errors"]
        assert {e["extensions"]["code"] for e in errors} == {"LIMIT_EXCEEDED"}, errors
        paths = [e["path"] for e in errors]
        assert all(p[-1] == "minorUnits" for p in paths)
        assert any(p[-3:-1] == [0, "total"] and "lines" in p for p in paths)
        if runtime.db.is_sqlite:
            assert big["pricing"]["total"]["minorUnits"] == MAX_AMOUNT
            assert any("pricing" in p for p in paths)


async def test_a_cart_stays_readable_when_a_price_rise_passes_the_ceiling(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, seller.seller_id, prices=[1000], stock_each=10)
    assert (await add(gql, buyer.token, made.variant_ids[0], 5))["userErrors"] == []
    async with runtime.db.write_engine.begin() as conn:  # a price set before the price cap
        await conn.execute(update(variants).values(price_minor=MAX_AMOUNT))
    body = await gql(CART, token=buyer.token)
    cart = body["data"]["cart"]
    assert cart["lines"][0]["quantity"] == 5
    assert cart["subtotal"]["minorUnits"] == MAX_AMOUNT
    assert cart["subtotal"]["amount"] == f"{5 * MAX_AMOUNT // 100}.{5 * MAX_AMOUNT % 100:02d}"
    assert {e["extensions"]["code"] for e in body["errors"]} == {"LIMIT_EXCEEDED"}
    started = (await gql.data(START, token=buyer.token))["checkoutStart"]
    assert _codes(started) == ["LIMIT_EXCEEDED"]


async def test_a_seller_balance_past_the_int_range_is_kept_and_read(
        gql: Any, runtime: Any) -> None:
    """One order stays under the ceiling, but a balance sums many: it is stored in 64 bits
    (migration 0009) and read clamped with LIMIT_EXCEEDED, its amount string exact."""
    from datetime import datetime, timezone

    from sqlalchemy import insert, text

    from persistence.tables import ledger_accounts

    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    account = (await gql.data("{ sellerBalance { account } }",
                              token=seller.token))["sellerBalance"]["account"]
    async with runtime.db.write_engine.begin() as conn:  # as if after many paid orders
        moved = await conn.execute(text(
            "UPDATE ledger_accounts SET balance_minor = :b WHERE name = :n"),
            {"b": MAX_AMOUNT - 100, "n": account})
        if moved.rowcount == 0:
            await conn.execute(insert(ledger_accounts).values(
                name=account, currency="USD", balance_minor=MAX_AMOUNT - 100,
                created_at=datetime.now(timezone.utc)))
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 10_000)])
    placed = await complete(gql, buyer.token, sid)
    assert placed["userErrors"] == [] and placed["payment"]["status"] == "SUCCEEDED", placed
    async with runtime.db.read_engine.connect() as conn:
        stored = (await conn.execute(text(
            "SELECT balance_minor FROM ledger_accounts WHERE name = :n"), {"n": account})
        ).scalar_one()
    assert stored > MAX_AMOUNT
    body = await gql("{ sellerBalance { account balance { minorUnits amount } } }",
                     token=seller.token)
    balance = body["data"]["sellerBalance"]["balance"]
    assert balance["minorUnits"] == MAX_AMOUNT
    assert balance["amount"] == f"{stored // 100}.{stored % 100:02d}"
    assert [e["extensions"]["code"] for e in body["errors"]] == ["LIMIT_EXCEEDED"]
