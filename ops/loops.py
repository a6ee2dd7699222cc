"""What every background loop and one-shot operator command shares."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, AsyncIterator, Awaitable, Callable


async def repeat(seconds: float, log: logging.Logger, what: str,
                 step: Callable[[], Awaitable[None]]) -> None:
    """Run `step` every `seconds` until cancelled; a failed step is logged and retried at the
    next pass (a background loop must never die of one bad pass)."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep going; the next pass retries
            log.exception("%s failed", what)
        await asyncio.sleep(seconds)


@contextlib.asynccontextmanager
async def standalone_transactions(settings: Any) -> AsyncIterator[Callable[..., Any]]:
    """For one-shot CLI commands: `transaction(use_case)` on a database of its own, with the
    same retry as the server's, disposed of at the end."""
    from domain.clock import SystemClock
    from persistence.db import create_database
    from persistence.uow import SqlUnitOfWork, run_in_transaction

    db = create_database(settings.database_url)
    try:
        yield lambda use_case: run_in_transaction(lambda: SqlUnitOfWork(db, SystemClock()),
                                                  use_case)
    finally:
        await db.dispose()
