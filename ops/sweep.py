"""Running the sweeper: a loop in the server (lifespan task) and `marketplace sweep`."""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from domain.sweeper import (
    SweepReport,
    sweep_carts,
    sweep_refresh_tokens,
    sweep_sessions,
    sweep_unpaid_orders,
)

log = logging.getLogger("marketplace.sweeper")
BATCH = 200


async def sweep_all(transaction: Callable[[Callable[[Any], Awaitable[int]]], Awaitable[int]]
                    ) -> SweepReport:
    """Sweep in batches until nothing lapsed is left."""
    return SweepReport(carts_expired=await _drain(transaction, sweep_carts),
                       sessions_expired=await _drain(transaction, sweep_sessions),
                       orders_cancelled=await _drain(transaction, sweep_unpaid_orders),
                       tokens_purged=await _drain(transaction, sweep_refresh_tokens))


async def _drain(transaction: Any, step: Any) -> int:
    total = 0
    while True:
        done = await transaction(lambda uow: step(uow, batch=BATCH))
        total += done
        if done < BATCH:
            return total


async def run_sweeper(runtime: Any) -> None:
    """Lifespan task: one pass every settings.sweep_interval_seconds, errors logged."""
    interval = runtime.settings.sweep_interval_seconds
    while True:
        try:
            report = await sweep_all(runtime.transaction)
            if report.carts_expired or report.sessions_expired or report.orders_cancelled:
                log.info("sweep: %s", report)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep sweeping; the next pass retries
            log.exception("sweep failed")
        await asyncio.sleep(interval)


async def sweep_once_cli(settings: Any) -> SweepReport:
    from domain.clock import SystemClock
    from persistence.db import create_database
    from persistence.uow import SqlUnitOfWork, run_in_transaction

    db = create_database(settings.database_url)
    try:
        return await sweep_all(
            lambda use_case: run_in_transaction(lambda: SqlUnitOfWork(db, SystemClock()),
                                                use_case))
    finally:
        await db.dispose()
