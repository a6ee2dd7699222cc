"""Background work started with the server (lifespan): the sweeper and, later, the outbox
dispatcher. Each is a task on the server's event loop, stopped cleanly on shutdown."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("marketplace.background")

STARTERS: list[Any] = []  # callables (runtime) -> coroutine, registered by features


def start_background(runtime: Any) -> list[asyncio.Task[Any]]:
    return [asyncio.create_task(start(runtime), name=getattr(start, "__name__", "bg"))
            for start in STARTERS if start is not None]


async def stop_background(tasks: list[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001
            log.exception("background task %s failed", task.get_name())
