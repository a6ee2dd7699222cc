"""One execution per subscriber group and event (docs/architecture.md, "Live events").

Every subscriber of orderUpdates/myOrderUpdates/sellerShipmentUpdates runs its own generator,
but executing the selection on an event is shared: the per-event execution is looked up in a
small cache keyed by (event id, document, operation name, variables, viewer); for
sellerShipmentUpdates the "event id" is (event id, shipment id), since one event may tell
several shipments. Subscribers with the same key
would compute the same result (same query, same values, same rights), so the first one
executes and the others await and reuse its ExecutionResult. The viewer is part of the key,
so authorization is exactly what each subscriber's own execution would give."""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, Hashable

from schema.compiled import CompiledExecutor

from adapters.live.bus import PerBus

# Recent (event, group) executions kept; events are delivered together, so a few suffice.
CACHE_SIZE = 512


class ExecutionCache:
    """Bounded map from a group key to the (future) result of its one execution."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.executions = 0  # how many executions actually ran (tests count them)
        self._results: OrderedDict[Hashable, asyncio.Future[Any]] = OrderedDict()

    async def run(self, key: Hashable, execute: Any) -> Any:
        found = self._results.get(key)
        if found is not None:
            return await asyncio.shield(found)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._results[key] = future
        while len(self._results) > self.size:
            self._results.popitem(last=False)
        self.executions += 1
        try:
            result = execute()
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
        except BaseException as error:
            self._results.pop(key, None)
            future.cancel() if isinstance(error, asyncio.CancelledError) \
                else future.set_exception(error)
            future.exception() if not future.cancelled() else None  # retrieved: no warning
            raise
        future.set_result(result)
        return result


_CACHES: PerBus[ExecutionCache] = PerBus()


def cache_for(bus: Any) -> ExecutionCache:
    return _CACHES.get(bus, ExecutionCache)


def group_key(event_id: Hashable, operation: Any, variables: Any, viewer: Any) -> Hashable | None:
    """The key under which subscribers share an event's execution (None: do not share)."""
    loc = getattr(operation, "loc", None)
    if loc is None or viewer is None:
        return None
    name = operation.name.value if operation.name else None
    try:
        values = tuple(sorted((k, repr(v)) for k, v in variables.coerced.items()))
    except AttributeError:
        return None
    return (event_id, loc.source.body, name, values, viewer)


class SharedEventExecutor(CompiledExecutor):
    """Per-event executions shared through cache_for(bus) (see the module doc)."""

    def execute_operation(self, serially: bool | None = None) -> Any:
        event_id = getattr(self.root_value, "fanout_event_id", None)
        viewer = getattr(self.context_value, "shared_viewer", None)
        key = None if event_id is None else group_key(
            event_id, self.operation, self.variable_values, viewer)
        if key is None:
            return super().execute_operation(serially)
        cache = cache_for(self.context_value.runtime.bus)
        return cache.run(key, lambda: super(SharedEventExecutor, self).execute_operation(
            serially))
