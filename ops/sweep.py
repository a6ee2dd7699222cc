"""Running the sweeper: a loop in the server (lifespan task) and `marketplace sweep`."""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from domain.orders.changes import refund_owed
from ops.loops import repeat, standalone_transactions
from domain.cart.sweeper import (
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

    async def step() -> None:
        report = await sweep_all(runtime.transaction)
        if report.carts_expired or report.sessions_expired or report.orders_cancelled:
            log.info("sweep: %s", report)
        # Money still held for cancelled orders (a refund the provider could not take when
        # it was due): refunded here (docs/rules.md "Money rules").
        refunded = await refund_owed(runtime.transaction, runtime.payment_provider)
        if refunded:
            log.info("sweep: refunded %s payments of cancelled orders", refunded)

    await repeat(runtime.settings.sweep_interval_seconds, log, "sweep", step)


async def sweep_once_cli(settings: Any) -> SweepReport:
    async with standalone_transactions(settings) as transaction:
        return await sweep_all(transaction)
