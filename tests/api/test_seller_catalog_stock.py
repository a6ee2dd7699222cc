"""inventorySet / inventoryAdjust / sellerInventory: levels, CONFLICT below held units,
FORBIDDEN across sellers (nothing changes), admins, and LowStock events in the outbox."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from domain.ids import encode_id
from persistence.tables import outbox, stock
from tests.support.factories import make_account, make_product

LEVEL = "inventory { total available reserved allocated lowStockThreshold variant { sku } }"
SET = f"""mutation($v: ID!, $total: Int!) {{ inventorySet(variantId: $v, total: $total) {{
  {LEVEL} userErrors {{ code field message }} }} }}"""
ADJUST = f"""mutation($v: ID!, $delta: Int!) {{ inventoryAdjust(variantId: $v, delta: $delta) {{
  {LEVEL} userErrors {{ code field message }} }} }}"""
SELLER_INVENTORY = """query($v: ID!) { sellerInventory(variantId: $v) {
  total available reserved allocated lowStockThreshold variant { sku } } }"""


def vid(pk: int) -> str:
    return encode_id("ProductVariant", pk)


async def set_total(gql: Any, token: str, variant_pk: int, total: int) -> dict[str, Any]:
    body = await gql.data(SET, {"v": vid(variant_pk), "total": total}, token=token)
    return body["inventorySet"]  # type: ignore[no-any-return]


async def adjust(gql: Any, token: str, variant_pk: int, delta: int) -> dict[str, Any]:
    body = await gql.data(ADJUST, {"v": vid(variant_pk), "delta": delta}, token=token)
    return body["inventoryAdjust"]  # type: ignore[no-any-return]


async def level(runtime: Any, variant_pk: int) -> tuple[int, int, int, int]:
    async with runtime.db.read_engine.connect() as conn:
        row = (await conn.execute(select(stock).where(stock.c.variant_id == variant_pk))).one()
    return row.total, row.available, row.reserved, row.allocated


async def low_stock_events(runtime: Any) -> list[tuple[str, int, dict[str, Any]]]:
    async with runtime.db.read_engine.connect() as conn:
        rows = (await conn.execute(select(outbox).where(outbox.c.event_type == "LowStock")
                                   .order_by(outbox.c.id))).all()
    return [(r.aggregate_type, r.aggregate_id, json.loads(r.payload)) for r in rows]


async def hold(runtime: Any, variant_pk: int, reserve: int = 0, allocate: int = 0) -> None:
    """Units held by a cart (reserved) and by an order (allocated), as those features do."""
    async def use_case(uow: Any) -> None:
        if reserve:
            assert await uow.inventory.reserve(variant_pk, reserve) is not None
        if allocate:
            assert await uow.inventory.allocate_available(variant_pk, allocate) is not None
        await uow.commit()

    await runtime.transaction(use_case)


async def test_set_and_adjust(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, stock_each=10)
    v = made.variant_ids[0]
    payload = await set_total(gql, seller.token, v, 40)
    assert payload["userErrors"] == []
    assert payload["inventory"] == {"total": 40, "available": 40, "reserved": 0,
                                    "allocated": 0, "lowStockThreshold": 5,
                                    "variant": {"sku": made.skus[0]}}
    payload = await adjust(gql, seller.token, v, -15)
    assert payload["inventory"]["total"] == 25 and payload["inventory"]["available"] == 25
    payload = await adjust(gql, seller.token, v, 5)
    assert payload["inventory"]["available"] == 30
    assert await level(runtime, v) == (30, 30, 0, 0)
    assert await low_stock_events(runtime) == []


async def test_cannot_go_below_held_units(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, stock_each=10)
    v = made.variant_ids[0]
    await hold(runtime, v, reserve=3, allocate=2)
    assert await level(runtime, v) == (10, 5, 3, 2)
    payload = await set_total(gql, seller.token, v, 4)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("CONFLICT", ["total"])]
    assert "5 units" in payload["userErrors"][0]["message"] and payload["inventory"] is None
    payload = await adjust(gql, seller.token, v, -6)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("CONFLICT", ["delta"])]
    assert await level(runtime, v) == (10, 5, 3, 2)
    assert await low_stock_events(runtime) == []
    # Exactly what is held is allowed: nothing left available.
    payload = await set_total(gql, seller.token, v, 5)
    assert payload["inventory"] == {"total": 5, "available": 0, "reserved": 3,
                                    "allocated": 2, "lowStockThreshold": 5,
                                    "variant": {"sku": made.skus[0]}}


async def test_invalid_and_unknown(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, stock_each=10)
    payload = await set_total(gql, seller.token, made.variant_ids[0], -1)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_INPUT", ["total"])]
    payload = await set_total(gql, seller.token, 999, 1)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("NOT_FOUND", ["variantId"])]
    body = await gql.data(SET, {"v": "junk", "total": 1}, token=seller.token)
    assert [(e["code"], e["field"]) for e in body["inventorySet"]["userErrors"]] == [
        ("NOT_FOUND", ["variantId"])]
    body = await gql(SET, {"v": vid(made.variant_ids[0]), "total": 1})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await level(runtime, made.variant_ids[0]) == (10, 10, 0, 0)


async def test_only_the_owner_or_an_admin_moves_stock(gql: Any, runtime: Any) -> None:
    owner = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    admin = await make_account(runtime, "ADMIN")
    made = await make_product(runtime, owner.seller_id, stock_each=10)
    v = made.variant_ids[0]
    for token in (other.token, buyer.token):
        for payload in (await set_total(gql, token, v, 0), await adjust(gql, token, v, -10)):
            assert [e["code"] for e in payload["userErrors"]] == ["FORBIDDEN"]
            assert payload["inventory"] is None
    assert await level(runtime, v) == (10, 10, 0, 0)
    payload = await set_total(gql, admin.token, v, 12)
    assert payload["userErrors"] == [] and payload["inventory"]["total"] == 12
    payload = await adjust(gql, admin.token, v, -2)
    assert payload["inventory"]["total"] == 10


async def test_low_stock_event_when_available_crosses_the_threshold(gql: Any,
                                                                    runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, stock_each=20)
    v = made.variant_ids[0]
    await adjust(gql, seller.token, v, -10)  # 10: still above 5
    assert await low_stock_events(runtime) == []
    await set_total(gql, seller.token, v, 5)  # 10 -> 5: crosses (at the threshold counts)
    events = await low_stock_events(runtime)
    assert len(events) == 1
    aggregate, aggregate_id, data = events[0]
    assert (aggregate, aggregate_id) == ("Variant", v)
    assert data == {"variant_id": v, "product_id": made.id, "seller_id": seller.seller_id,
                    "sku": made.skus[0], "available": 5, "low_stock_threshold": 5}
    await adjust(gql, seller.token, v, -2)  # 5 -> 3: already low, no new event
    assert len(await low_stock_events(runtime)) == 1
    await set_total(gql, seller.token, v, 8)  # back above
    await adjust(gql, seller.token, v, -8)  # 8 -> 0: crosses again
    events = await low_stock_events(runtime)
    assert len(events) == 2 and events[1][2]["available"] == 0


async def test_seller_inventory(gql: Any, runtime: Any) -> None:
    owner = await make_account(runtime, "SELLER")
    other = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    made = await make_product(runtime, owner.seller_id, stock_each=9, status="DRAFT")
    v = vid(made.variant_ids[0])
    await hold(runtime, made.variant_ids[0], reserve=2)
    found = (await gql.data(SELLER_INVENTORY, {"v": v}, token=owner.token))["sellerInventory"]
    assert found == {"total": 9, "available": 7, "reserved": 2, "allocated": 0,
                     "lowStockThreshold": 5, "variant": {"sku": made.skus[0]}}
    assert (await gql.data(SELLER_INVENTORY, {"v": v},
                           token=other.token))["sellerInventory"] is None
    for missing in (vid(999), "junk"):
        assert (await gql.data(SELLER_INVENTORY, {"v": missing},
                               token=owner.token))["sellerInventory"] is None
    body = await gql(SELLER_INVENTORY, {"v": v}, token=buyer.token)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await gql(SELLER_INVENTORY, {"v": v})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_concurrent_adjustments_never_go_below_zero(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    made = await make_product(runtime, seller.seller_id, stock_each=6)
    v = made.variant_ids[0]
    results = await asyncio.gather(*(adjust(gql, seller.token, v, -1) for _ in range(10)))
    outcomes = sorted("ok" if not r["userErrors"] else r["userErrors"][0]["code"]
                      for r in results)
    assert outcomes == ["CONFLICT"] * 4 + ["ok"] * 6
    assert await level(runtime, v) == (0, 0, 0, 0)
    events = await low_stock_events(runtime)
    assert len(events) == 1 and events[0][2]["available"] == 5
