"""What one checkoutComplete must not lock for the others (docs/architecture.md,
"checkoutComplete under load").

- Taking an order number locks nothing: an order being placed (its transaction still open
  after it took its number) does not hold up another buyer's checkoutComplete. With a counter
  row, every placement queued behind the one holding it until that one committed.
- A product that already has order history is not written (so not locked) by the next order
  of it: a popular product's row is no queue for its checkouts.
These two hold the lock in a transaction of their own and use the `faulty` app (a short lock
timeout): a checkout that waits for the lock fails SERVICE_UNAVAILABLE instead of completing.
PostgreSQL only (SQLite serialises writers by design).
- The placing transaction takes the contended rows (stock, points, promotion uses) last, after
  the order, its lines and shipments (a statement order, asserted on both databases).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from sqlalchemy import text

from domain.ids import encode_id
from persistence.uow import SqlUnitOfWork
from tests.support.factories import make_account
from tests.support.orders import ADD, CA, START, UPDATE, checkout, complete


def postgresql_only(runtime: Any) -> None:
    if runtime.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only: SQLite serialises writers")


async def test_an_order_number_held_by_an_open_placement_blocks_no_other_checkout(
        faulty: Any) -> None:
    gql, runtime = faulty
    postgresql_only(runtime)
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    async with SqlUnitOfWork(runtime.db, runtime.clock) as other_placement:
        taken = await other_placement.orders.next_number(datetime.now(timezone.utc).year)
        result = await complete(gql, buyer.token, sid)
    assert result["userErrors"] == [], result
    assert result["payment"]["status"] == "SUCCEEDED"
    # unique and increasing: after the number the open placement took (and never used)
    assert int(result["order"]["number"].rsplit("-", 1)[1]) > taken


async def test_an_ordered_product_locked_elsewhere_does_not_block_its_next_checkout(
        faulty: Any) -> None:
    gql, runtime = faulty
    postgresql_only(runtime)
    seller = await make_account(runtime, "SELLER")
    first, second = await make_account(runtime), await make_account(runtime)
    sid, [product] = await checkout(gql, runtime, first, [(seller, 2500)])
    assert (await complete(gql, first.token, sid))["userErrors"] == []  # it has history now
    added = await gql.data(ADD, {"v": encode_id("ProductVariant", product.variant_ids[0]),
                                 "q": 1}, token=second.token)
    assert added["cartAddLine"]["userErrors"] == []
    sid2 = (await gql.data(START, token=second.token))["checkoutStart"]["checkout"]["id"]
    updated = await gql.data(UPDATE, {"id": sid2, "input": {
        "shippingAddress": CA, "shippingMethodCode": "STANDARD"}}, token=second.token)
    assert updated["checkoutUpdate"]["userErrors"] == []
    async with runtime.db.write_engine.connect() as conn, conn.begin():
        # the lock an UPDATE of the row takes (a seller editing the product, say)
        await conn.execute(text("SELECT id FROM products WHERE id = :id FOR NO KEY UPDATE"),
                           {"id": product.id})
        result = await complete(gql, second.token, sid2, key="key-2")
    assert result["userErrors"] == [], result
    assert result["payment"]["status"] == "SUCCEEDED"


async def test_the_placing_transaction_takes_the_contended_rows_last(
        gql: Any, runtime: Any, statements: Any) -> None:
    """Stock (and points, a promotion's uses) are taken after the order, its lines and
    shipments are written and the cart and session are completed: from the stock UPDATE to
    COMMIT only the contended rows, the OrderCreated event and the payment attempt remain."""
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500), (seller, 1200)])
    statements.keep_log = True
    statements.reset()
    assert (await complete(gql, buyer.token, sid))["userErrors"] == []
    log = [" ".join(s.split()).upper() for s in statements.log]
    first_stock = next(i for i, s in enumerate(log) if s.startswith("UPDATE STOCK"))
    commit = next(i for i, s in enumerate(log) if i > first_stock and s.startswith("COMMIT"))
    after = [s.split(" (")[0].split(" SET")[0] for s in log[first_stock:commit]]
    allowed = ("UPDATE STOCK", "UPDATE LOYALTY_ACCOUNTS", "INSERT INTO LOYALTY_TRANSACTIONS",
               "UPDATE PROMOTIONS", "INSERT INTO PROMOTION_USES", "INSERT INTO OUTBOX",
               "INSERT INTO PAYMENTS")
    assert [s for s in after if not s.startswith(allowed)] == [], after
