"""Background work started with the server (lifespan): the sweeper and, later, the outbox
dispatcher. Each is a task on the server's event loop, stopped cleanly on shutdown."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("marketplace.background")

async def run_live_feed(runtime: Any) -> None:
    from adapters.live.feed import OutboxFeed

    await OutboxFeed(runtime, runtime.bus).run()


def _starters(runtime: Any) -> list[Any]:
    from ops.sweep import run_sweeper

    starters: list[Any] = [run_live_feed]
    if runtime.settings.sweeper_enabled:
        starters.append(run_sweeper)
    if runtime.settings.dispatcher_enabled:
        from ops.dispatch import run_dispatcher

        starters.append(run_dispatcher)
    if runtime.settings.event_relay_url:
        from ops.relay import run_relay

        starters.append(run_relay)
    return starters


def start_background(runtime: Any) -> list[asyncio.Task[Any]]:
    return [asyncio.create_task(start(runtime), name=start.__name__)
            for start in _starters(runtime)]


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
