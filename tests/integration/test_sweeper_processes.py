"""Several sweeper processes at once on one database: every lapsed cart is expired exactly
once (one CartExpired event each) and every held unit goes back exactly once."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from persistence.tables import carts, outbox, stock
from tests.support.cart_harness import CartHarness
from tests.support.factories import make_account, make_product
from tests.support.server import ROOT

CARTS = 40


@pytest.mark.slow
async def test_concurrent_sweep_commands_expire_each_cart_once(runtime: Any,
                                                               clock: Any) -> None:
    clock.set(clock.now() - timedelta(hours=1))  # holds taken an hour ago have lapsed
    seller = await make_account(runtime, "SELLER")
    product = await make_product(runtime, seller.seller_id, prices=[100, 200],
                                 stock_each=1000)
    harness = CartHarness(runtime)
    for i in range(CARTS):
        buyer = await make_account(runtime)
        await harness.add(buyer.user_id, product.variant_ids[i % 2], 1 + i % 3)
    env = {**os.environ, "DATABASE_URL": runtime.settings.database_url}
    sweepers = [subprocess.Popen([sys.executable, "-m", "ops.cli", "sweep"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for _ in range(4)]
    outputs = [p.communicate(timeout=120)[0].decode() for p in sweepers]
    assert [p.returncode for p in sweepers] == [0] * 4, outputs
    expired_counts = [int(o.split("carts expired: ")[1].split(",")[0]) for o in outputs]
    assert sum(expired_counts) == CARTS, outputs
    async with runtime.db.read_engine.connect() as conn:
        events = (await conn.execute(select(func.count()).where(
            outbox.c.event_type == "CartExpired"))).scalar_one()
        statuses = set((await conn.execute(select(carts.c.status))).scalars())
        levels = (await conn.execute(select(stock.c.available, stock.c.reserved))).all()
    assert events == CARTS and statuses == {"EXPIRED"}
    assert sorted(levels) == [(1000, 0), (1000, 0)]
