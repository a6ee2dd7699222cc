"""`marketplace` with checkoutComplete's phases timed (bench/mixed_load.py --phases).

    python -m bench.phase_server serve ...   # the arguments of `marketplace`

Wraps, in this process only, what domain/checkout/complete.py calls: the placing transaction's
body (place_order, its COMMIT included), the provider call, the outcome transaction's body
(apply_outcome) and the read of the order afterwards (_finish, a read unit of work included),
and the whole use case (complete_checkout). What the whole has beyond the phases is waiting for
a pooled connection and BEGIN. Each timing is appended to BENCH_PHASES_FILE as a JSON line
[phase, milliseconds] when it is taken (uvicorn ends on SIGTERM without running atexit).
"""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Awaitable, Callable

from adapters.payments import offline
from domain.checkout import complete

OUT = open(os.environ["BENCH_PHASES_FILE"], "a", buffering=1)  # noqa: SIM115 - process-long


def timed(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            OUT.write(json.dumps([name, (time.perf_counter() - start) * 1000]) + "\n")
    return wrapper


for owner, attribute, phase in (
        (complete, "complete_checkout", "whole use case"),
        (complete, "place_order", "place order txn"),
        (complete, "apply_outcome", "outcome txn"),
        (complete, "_finish", "read order"),
        (offline.OfflineProvider, "create_and_confirm", "provider call")):
    setattr(owner, attribute, timed(phase, getattr(owner, attribute)))

if __name__ == "__main__":
    from ops.cli import main

    sys.exit(main(sys.argv[1:]))
