"""Buyers racing for the last units, against a real uvicorn server (own process): exactly as
many holds succeed as there are units, every loser gets INSUFFICIENT_STOCK, nothing else."""
from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from domain.ids import encode_id
from persistence.tables import stock
from tests.support.factories import make_account, make_product
from tests.support.server import start_server

ADD = """
mutation Add($input: CartLineInput!) {
  cartAddLine(input: $input) { cart { totalQuantity } userErrors { code field message } }
}"""


async def _race(runtime: Any, log_dir: Path, buyers: int, units: int, each: int,
                workers: int = 1) -> None:
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, stock_each=units)
    variant = product.variant_ids[0]
    accounts = [await make_account(runtime) for _ in range(buyers)]
    server = start_server(runtime.settings.database_url, log_dir, workers=workers)
    try:
        limits = httpx.Limits(max_connections=buyers)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60,
                                     limits=limits) as http:
            async def add(account: Any) -> Any:
                return await http.post("/graphql", headers={
                    "Authorization": f"Bearer {account.token}"}, json={
                    "query": ADD, "variables": {"input": {
                        "variantId": encode_id("ProductVariant", variant), "quantity": each}}})

            responses = await asyncio.gather(*(add(a) for a in accounts))
    finally:
        server.stop()
    assert [r.status_code for r in responses] == [200] * buyers
    bodies = [r.json() for r in responses]
    assert [b for b in bodies if b.get("errors")] == []
    outcomes = Counter(
        "ok" if not b["data"]["cartAddLine"]["userErrors"]
        else b["data"]["cartAddLine"]["userErrors"][0]["code"] for b in bodies)
    winners = units // each
    assert outcomes == Counter({"ok": winners, "INSUFFICIENT_STOCK": buyers - winners})
    async with runtime.db.read_engine.connect() as conn:
        row = (await conn.execute(select(stock).where(stock.c.variant_id == variant))).one()
    assert row.total == units == row.available + row.reserved + row.allocated
    assert row.reserved == winners * each
    assert "database is locked" not in server.log_path.read_text()


@pytest.mark.slow
async def test_fifty_buyers_race_for_five_units(runtime: Any, log_dir: Path) -> None:
    await _race(runtime, log_dir, buyers=50, units=5, each=1)


@pytest.mark.slow
async def test_twenty_buyers_race_three_units_each_for_ten(runtime: Any, log_dir: Path) -> None:
    await _race(runtime, log_dir, buyers=20, units=10, each=3)


@pytest.mark.slow
async def test_two_server_processes_race_for_the_same_units(runtime: Any, log_dir: Path) -> None:
    """Two uvicorn workers (two processes, two connection pools) on one database."""
    await _race(runtime, log_dir, buyers=40, units=7, each=1, workers=2)
