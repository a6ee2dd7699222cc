"""The promotion repository's reservation under real concurrency (PostgreSQL runs these
transactions in parallel; SQLite serialises them): the total and the per-customer limits are
never exceeded, a refused reservation writes no usage row, a release gives the use back once."""
from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from persistence.tables import promotion_customer_uses, promotion_usages, promotions
from tests.support.factories import make_account, make_promotion


async def _reserve(runtime: Any, code: str, buyer_id: int, order_id: int) -> str | None:
    async def use_case(uow: Any) -> str | None:
        refused = await uow.promotions.reserve_use(code, buyer_id, order_id, uow.now())
        if refused is None:  # as place_order: a refusal rolls the transaction back
            await uow.commit()
        return refused  # type: ignore[no-any-return]
    return await runtime.transaction(use_case)  # type: ignore[no-any-return]


async def _state(runtime: Any) -> tuple[int, int, dict[int, int]]:
    async with runtime.db.read_engine.connect() as conn:
        used = (await conn.execute(select(promotions.c.times_used))).scalar_one()
        rows = (await conn.execute(select(func.count()).select_from(promotion_usages))).scalar()
        per_buyer = dict((await conn.execute(select(
            promotion_customer_uses.c.buyer_id, promotion_customer_uses.c.uses))).all())
    return int(used), int(rows or 0), {int(k): int(v) for k, v in per_buyer.items()}


async def test_one_buyer_racing_a_per_customer_limit_gets_exactly_the_limit(
        runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    buyer = await make_account(runtime)
    await make_promotion(runtime, "PER2", per_customer_limit=2, created_by=admin.user_id)
    answers = await asyncio.gather(*(_reserve(runtime, "PER2", buyer.user_id, 1000 + n)
                                     for n in range(10)))
    assert Counter(answers) == Counter({None: 2, "CUSTOMER_LIMIT_REACHED": 8})
    # The refused ones rolled back their total increment (the caller's rollback) and wrote
    # no usage row.
    assert await _state(runtime) == (2, 2, {buyer.user_id: 2})


async def test_buyers_racing_a_total_limit(runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    buyers = [await make_account(runtime) for _ in range(10)]
    await make_promotion(runtime, "TOTAL3", usage_limit=3, created_by=admin.user_id)
    answers = await asyncio.gather(*(_reserve(runtime, "TOTAL3", b.user_id, 2000 + n)
                                     for n, b in enumerate(buyers)))
    assert Counter(answers) == Counter({None: 3, "USAGE_LIMIT_REACHED": 7})
    used, rows, per_buyer = await _state(runtime)
    assert (used, rows, sum(per_buyer.values())) == (3, 3, 3)


async def test_a_release_gives_the_use_back_once(runtime: Any) -> None:
    admin = await make_account(runtime, "ADMIN")
    buyer = await make_account(runtime)
    await make_promotion(runtime, "ONE", usage_limit=1, per_customer_limit=1,
                         created_by=admin.user_id)
    assert await _reserve(runtime, "ONE", buyer.user_id, 1) is None
    assert await _reserve(runtime, "ONE", buyer.user_id, 2) == "USAGE_LIMIT_REACHED"

    async def release(uow: Any) -> bool:
        done = await uow.promotions.release_use(1)
        await uow.commit()
        return done  # type: ignore[no-any-return]
    assert [await runtime.transaction(release) for _ in range(2)] == [True, False]
    assert await _state(runtime) == (0, 0, {buyer.user_id: 0})
    assert await _reserve(runtime, "ONE", buyer.user_id, 2) is None
