"""Statement budgets of the write path, counted all-in (BEGIN/COMMIT/ROLLBACK and SAVEPOINTs
too; docs/rules.md, "Statement budgets of mutations"): flat in cart size, on both databases."""
from __future__ import annotations

from typing import Any

from tests.support.cart import vid
from tests.support.factories import make_account, make_product
from tests.support.orders import CA, COMPLETE, START, UPDATE

ADD = """mutation($input: CartLineInput!) { cartAddLine(input: $input) {
  cart { id totalQuantity subtotal { minorUnits currency }
         lines { id quantity unitPrice { minorUnits } total { minorUnits }
                 variant { id sku } } }
  userErrors { code field message } } }"""


def _log(statements: Any) -> str:
    return "\n".join(s.split("\n")[0][:160] for s in statements.log)


async def _fill(gql: Any, token: str, variant_ids: list[int]) -> None:
    for pk in variant_ids:
        body = await gql.data(ADD, {"input": {"variantId": vid(pk), "quantity": 1}},
                              token=token)
        assert body["cartAddLine"]["userErrors"] == [], body


async def test_cart_add_line_costs_the_same_statements_for_1_or_10_lines(
        gql: Any, runtime: Any, statements: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, prices=[250] * 11, stock_each=5,
                              images=0)
    counts = {}
    statements.keep_log = True
    for size in (1, 10):  # lines in the cart before the add
        buyer = await make_account(runtime)
        await _fill(gql, buyer.token, made.variant_ids[:size])
        statements.reset()
        body = await gql.data(ADD, {"input": {"variantId": vid(made.variant_ids[size]),
                                              "quantity": 2}}, token=buyer.token)
        result = body["cartAddLine"]
        assert result["userErrors"] == []
        assert len(result["cart"]["lines"]) == size + 1
        assert result["cart"]["totalQuantity"] == size + 2
        assert result["cart"]["subtotal"]["minorUnits"] == 250 * (size + 2)
        counts[size] = (statements.count, _log(statements))
    # The write is 8 (BEGIN, 6 statements, COMMIT); the payload's two reads cost 1 each on the
    # request's read connection (no BEGIN/ROLLBACK around reads): 10, the budget
    # (docs/rules.md, "Statement budgets of mutations").
    assert counts[1][0] == counts[10][0] <= 10, counts[10][1]


async def test_checkout_start_update_complete_cost_the_same_statements_for_1_or_10_lines(
        gql: Any, runtime: Any, statements: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, prices=[300] * 10, stock_each=5,
                              images=0)
    counts = {}
    statements.keep_log = True
    for size in (1, 10):
        buyer = await make_account(runtime)
        await _fill(gql, buyer.token, made.variant_ids[:size])
        statements.reset()
        sid = (await gql.data(START, token=buyer.token))["checkoutStart"]["checkout"]["id"]
        start = statements.count
        update = await gql.data(UPDATE, {"id": sid, "input": {
            "shippingAddress": CA, "shippingMethodCode": "STANDARD"}}, token=buyer.token)
        assert update["checkoutUpdate"]["userErrors"] == [], update
        after_update = statements.count
        done = (await gql.data(COMPLETE, {"id": sid, "input": {
            "paymentMethod": "pm_card_visa", "idempotencyKey": f"k{size}"}},
            token=buyer.token))["checkoutComplete"]
        assert done["userErrors"] == [], done
        assert done["order"]["status"] == "CONFIRMED"
        assert len(done["order"]["lines"]) == size
        counts[size] = (start, after_update - start, statements.count - after_update,
                        _log(statements))
    one, ten = counts[1][:3], counts[10][:3]
    # 10 + 9 + 34 = 53 all-in on both databases, within the budget of 60 (docs/rules.md,
    # "Statement budgets of mutations"): checkoutStart 10, checkoutUpdate 9 (with a new
    # address), and checkoutComplete's three writes (placing 18, the offline provider's new
    # intent 1, the outcome 12) and its payload's three reads. Lower these bounds as
    # statements go, never raise them.
    assert one == ten, (one, ten, counts[10][3])
    start, update, complete = ten
    assert start <= 10 and update <= 9 and complete <= 34, (ten, counts[10][3])
    assert sum(ten) <= 53, (ten, counts[10][3])
