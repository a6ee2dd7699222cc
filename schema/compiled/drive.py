"""The asynchronous half of the compiled execution (docs/architecture.md, "How a query is
executed"): the awaitables the resolvers returned, without the gathering tasks of graphql-core.

Under graphql-core every asynchronous field of every object is a coroutine wrapped in a task,
and every object and list with such fields one more gathering coroutine and task: 67 tasks for
the catalogue page of 20 products. Here the completers register each awaitable with the place
its value goes (`Pending`), and one driver, in the request's own task, waits on them:
- A future, or a `later(future, then)` (what the loader-backed fields return: the loader's
  future and a plain function of its value), is waited on directly: no task, no coroutine.
- A coroutine still gets its own task, started when the driver first meets it, as under
  graphql-core: its code may rely on running in its own task (anyio cancel scopes, as in
  httpx, cancel "the current task").
The driver sleeps until one of the futures it waits on is done, then resumes every entry
whose future is done, in one go; a dataloader resolves its whole batch in one callback, so a
batch wakes the driver once.

What graphql-core's gathering gives is kept:
- Entries registered while values are filled in (the fields of objects below) are started
  before the driver sleeps, so the loads of one level reach the dataloaders in the same loop
  iteration and batch as under graphql-core.
- An entry resumes as soon as its own future is done, never after its siblings.
- After a failure no value is filled in any more, but every started task still runs to its
  end (one abandoned inside a statement would leave the connection busy), and coroutines
  never started are closed; then the failure is raised (the executor re-runs the operation
  the standard way). If the request itself is cancelled, what the entries wait on is
  cancelled (their tasks included) and they end as a cancelled gather's children would, then
  the cancellation is raised.
"""
from __future__ import annotations

import asyncio
import inspect
from typing import Any, Callable, Generator

class Later:
    """An awaitable of `then(value of future)` that is not a coroutine."""

    __slots__ = ("future", "then")

    def __init__(self, future: Any, then: Callable[[Any], Any]) -> None:
        self.future, self.then = future, then

    def __await__(self) -> Generator[Any, None, Any]:
        value = yield from self.future.__await__()
        return self.then(value)


def later(future: Any, then: Callable[[Any], Any]) -> Any:
    """What a resolver returns for `then(await future)` when `then` is plain code: awaited
    like any awaitable by graphql-core, waited on without a task by the compiled driver; a
    value already at hand (not a future) gives `then(value)` at once.
    Typed Any, as strawberry reads the resolver's annotation as the field's type."""
    if not isinstance(future, asyncio.Future):
        return then(future)
    return Later(future, then)


class Pending:
    """One awaitable and where its completed value goes: container[key] = complete(value)."""

    __slots__ = ("future", "then", "coroutine", "complete", "container", "key", "field",
                 "path", "info")

    def __init__(self, awaitable: Any, complete: Callable[..., Any], container: Any, key: Any,
                 field: Any, path: Any, info: Any) -> None:
        self.then: Callable[[Any], Any] | None = None
        self.coroutine: Any = None
        if type(awaitable) is Later:
            self.future: Any = awaitable.future
            self.then = awaitable.then
        elif isinstance(awaitable, asyncio.Future):
            self.future = awaitable
        else:  # a coroutine or another awaitable: its own task, made when first stepped
            self.future = None
            self.coroutine = awaitable
        self.complete, self.container, self.key = complete, container, key
        self.field, self.path, self.info = field, path, info


class Driver:
    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.ready: list[Pending] = []
        self.parked: dict[Any, list[Pending]] = {}  # future not yet done -> its entries
        self.wake: asyncio.Future[None] | None = None
        self.failure: BaseException | None = None
        self._on_done = self._done  # one bound method for every future's done callback

    async def run(self) -> None:
        """Until every registered entry has ended; raises the first failure."""
        try:
            await self._run()
        finally:
            # the bound method kept on self is a reference cycle: broken once the run ends
            # (docs/architecture.md, "Memory: no reference cycles per request")
            del self._on_done

    async def _run(self) -> None:
        ex = self.executor
        cancelled: BaseException | None = None
        while True:
            self._step_all(ex)
            if not self.parked:
                break
            self.wake = asyncio.get_running_loop().create_future()
            try:
                await self.wake
            except asyncio.CancelledError as exc:
                if cancelled is not None:
                    raise
                cancelled = exc
                self._cancel_waits()
            self.wake = None
        if cancelled is not None:
            raise cancelled
        if self.failure is not None:
            raise self.failure

    def _step_all(self, ex: Any) -> None:
        while self.ready or ex.later:
            batch = self.ready + ex.later
            self.ready, ex.later = [], []
            for entry in batch:
                self._step(entry)

    def _step(self, entry: Pending) -> None:
        future = entry.future
        if future is None:  # a coroutine met for the first time
            if self.failure is not None:
                close_unstarted([entry])  # nothing of it runs
                return
            future = entry.future = asyncio.ensure_future(entry.coroutine)
        elif self.failure is not None and entry.coroutine is None:
            return  # a loader's future: nothing of ours runs on it, nothing to wait for
        if not future.done():
            found = self.parked.get(future)
            if found is None:
                self.parked[future] = [entry]
                future.add_done_callback(self._on_done)
            else:
                found.append(entry)
            return
        try:
            value = future.result()
            if self.failure is None:
                if entry.then is not None:
                    value = entry.then(value)
                entry.container[entry.key] = entry.complete(
                    self.executor, entry.field, value, entry.path, entry.info)
        except (Exception, asyncio.CancelledError) as exc:
            if self.failure is None:
                self.failure = exc

    def _done(self, future: Any) -> None:
        self.ready += self.parked.pop(future, ())
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)

    def _cancel_waits(self) -> None:
        self.failure = self.failure or asyncio.CancelledError()
        for future in list(self.parked):
            future.cancel()


def close_unstarted(entries: list[Pending]) -> None:
    """Registered coroutines that never ran (no task was made for them): closed."""
    for entry in entries:
        coroutine = entry.coroutine
        if asyncio.iscoroutine(coroutine) and inspect.getcoroutinestate(coroutine) == \
                inspect.CORO_CREATED:
            coroutine.close()
