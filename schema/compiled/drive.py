"""The asynchronous half of the compiled execution (docs/architecture.md, "How a query is
executed"): the awaitables the resolvers returned, run without a task each.

Under graphql-core every asynchronous field of every object is a coroutine wrapped in a task,
and every object and list with such fields one more gathering coroutine and task: 67 tasks for
the catalogue page of 20 products. Here the completers register each awaitable with the place
its value goes (`Pending`), and one driver, in the request's own task, steps them: a resolver's
coroutine is advanced with `send` until it waits on a future; the driver sleeps until one of
the futures it waits on is done and then resumes every entry whose future is done, in one go.
A dataloader resolves its whole batch in one callback, so a batch wakes the driver once.

What a task would do that matters here is kept:
- Entries registered while values are filled in (the fields of objects below) are started
  before the driver sleeps, so the loads of one level reach the dataloaders in the same loop
  iteration and batch as under graphql-core.
- An entry resumes as soon as its own future is done (never after its siblings), so a
  resolver waiting for a lock another resolver holds (the request's read connection) runs
  when the lock is released.
- After a failure no value is filled in any more, but every started resolver still runs to
  its end (a resolver abandoned inside a statement would leave the connection busy), and
  resolvers never started are closed; then the failure is raised (the executor re-runs the
  operation the standard way). If the request itself is cancelled, the futures the entries
  wait on are cancelled and the entries run to their end, as a cancelled task's would, and
  the cancellation is raised.
- Futures are only asyncio futures (what a coroutine on this loop yields); anything else, or
  a coroutine yielding something else, is a failure.
"""
from __future__ import annotations

import asyncio
import inspect
from types import CoroutineType
from typing import Any, Callable

_START = object()  # an entry not yet stepped


class Pending:
    """One awaitable and where its completed value goes: container[key] = complete(value)."""

    __slots__ = ("step", "future", "complete", "container", "key", "field", "path", "info",
                 "coroutine")

    def __init__(self, awaitable: Any, complete: Callable[..., Any], container: Any, key: Any,
                 field: Any, path: Any, info: Any) -> None:
        if type(awaitable) is CoroutineType:
            self.coroutine: Any = awaitable
            self.step = awaitable
        else:
            self.coroutine = None
            self.step = awaitable.__await__()  # a future's iterator, or any awaitable's
        self.future: Any = _START
        self.complete, self.container, self.key = complete, container, key
        self.field, self.path, self.info = field, path, info


class Driver:
    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.ready: list[Pending] = []
        self.parked: set[Pending] = set()  # waiting on a future not yet done
        self.wake: asyncio.Future[None] | None = None
        self.failure: BaseException | None = None
        self.turn: asyncio.Future[None] | None = None

    async def run(self) -> None:
        """Until every registered entry has ended; raises the first failure."""
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
        if self.failure is not None and entry.future is _START:
            if entry.coroutine is not None:
                entry.coroutine.close()  # never started: nothing of it runs
            return
        entry.future = None
        try:
            yielded = entry.step.send(None)
        except StopIteration as stop:
            if self.failure is None:
                try:
                    entry.container[entry.key] = entry.complete(
                        self.executor, entry.field, stop.value, entry.path, entry.info)
                except Exception as exc:
                    self.failure = exc
            return
        except (Exception, asyncio.CancelledError) as exc:
            if self.failure is None:
                self.failure = exc
            return
        if yielded is None:  # a bare yield (sleep(0)): step again after one loop turn
            self._park(entry, self._next_turn())
            return
        if not asyncio.isfuture(yielded):
            entry.step.close()
            self.failure = self.failure or RuntimeError(f"awaited {yielded!r}")
            return
        yielded._asyncio_future_blocking = False
        self._park(entry, yielded)

    def _next_turn(self) -> asyncio.Future[None]:
        """One future, done at the next turn of the loop, for every bare yield of a round."""
        if self.turn is None or self.turn.done():
            loop = asyncio.get_running_loop()
            self.turn = turn = loop.create_future()
            loop.call_soon(_finish_turn, turn)
        return self.turn

    def _park(self, entry: Pending, future: Any) -> None:
        entry.future = future
        self.parked.add(entry)
        future.add_done_callback(lambda _f, e=entry: self._done(e))

    def _done(self, entry: Pending) -> None:
        self.parked.discard(entry)
        self.ready.append(entry)
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)

    def _cancel_waits(self) -> None:
        self.failure = self.failure or asyncio.CancelledError()
        for entry in list(self.parked):
            entry.future.cancel()


def _finish_turn(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_result(None)


def close_unstarted(entries: list[Pending]) -> None:
    """After a synchronous failure: the registered coroutines never ran; close them."""
    for entry in entries:
        coroutine = entry.coroutine
        if coroutine is not None and inspect.getcoroutinestate(coroutine) == \
                inspect.CORO_CREATED:
            coroutine.close()
