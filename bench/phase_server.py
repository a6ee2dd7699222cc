"""`marketplace` with checkoutComplete's phases timed (bench/mixed_load.py --phases).

    python -m bench.phase_server serve ...   # the arguments of `marketplace`

Wraps, in this process only, what domain/checkout/complete.py calls: the placing transaction's
body (place_order, its COMMIT included), the provider call, the outcome transaction's body
(apply_outcome) and the read of the order afterwards (_finish, a read unit of work included),
and the whole use case (complete_checkout). What the whole has beyond the phases is waiting for
a pooled connection and BEGIN. At exit, one JSON line of milliseconds per phase is appended to
BENCH_PHASES_FILE.
"""
from __future__ import annotations

import atexit
import json
import os
import sys
import time
from collections import defaultdict
from typing import Any, Awaitable, Callable

from adapters.payments import offline
from domain.checkout import complete

PHASES: dict[str, list[float]] = defaultdict(list)


def timed(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            PHASES[name].append((time.perf_counter() - start) * 1000)
    return wrapper


def save() -> None:
    path = os.environ.get("BENCH_PHASES_FILE")
    if path and PHASES:
        with open(path, "a") as out:
            out.write(json.dumps(PHASES) + "\n")


for owner, attribute, phase in (
        (complete, "complete_checkout", "whole use case"),
        (complete, "place_order", "place order txn"),
        (complete, "apply_outcome", "outcome txn"),
        (complete, "_finish", "read order"),
        (offline.OfflineProvider, "create_and_confirm", "provider call")):
    setattr(owner, attribute, timed(phase, getattr(owner, attribute)))
atexit.register(save)

if __name__ == "__main__":
    from ops.cli import main

    sys.exit(main(sys.argv[1:]))
