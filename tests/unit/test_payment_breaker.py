"""The payment provider's circuit breaker (adapters/payments/breaker.py) on a manual clock."""
from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from domain.payments.provider import (
    PaymentProvider,
    PaymentProviderUnavailable,
    PaymentRequestRejected,
)
from adapters.payments.breaker import BreakerProvider, BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, changes: list[tuple[str, str]] | None = None) -> CircuitBreaker:
    record = changes if changes is not None else []
    return CircuitBreaker(failures=3, cooldown_seconds=30, clock=clock,
                          on_change=lambda old, new: record.append((old.value, new.value)))


def fail(cb: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        cb.before_call()
        cb.failed()


def test_opens_after_the_threshold_of_consecutive_failures() -> None:
    clock, changes = Clock(), []
    cb = breaker(clock, changes)
    fail(cb, 2)
    cb.before_call()
    cb.succeeded()  # a success in between resets the run
    fail(cb, 2)
    assert cb.state is BreakerState.CLOSED
    fail(cb, 1)
    assert cb.state is BreakerState.OPEN and changes == [("closed", "open")]


def test_open_fails_fast_with_the_time_left_of_the_cooldown() -> None:
    clock = Clock()
    cb = breaker(clock)
    fail(cb, 3)
    clock.now += 10.2
    with pytest.raises(PaymentProviderUnavailable) as raised:
        cb.before_call()
    assert raised.value.retry_after_seconds == 20
    clock.now += 19.7
    with pytest.raises(PaymentProviderUnavailable) as raised:
        cb.before_call()
    assert raised.value.retry_after_seconds == 1


def test_after_the_cooldown_one_trial_decides() -> None:
    clock, changes = Clock(), []
    cb = breaker(clock, changes)
    fail(cb, 3)
    clock.now += 30
    cb.before_call()  # the trial
    assert cb.state is BreakerState.HALF_OPEN
    with pytest.raises(PaymentProviderUnavailable):
        cb.before_call()  # only one trial at a time
    cb.succeeded()
    assert cb.state is BreakerState.CLOSED and cb.failures == 0
    cb.before_call()
    assert changes == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]


def test_a_failed_trial_opens_it_for_another_cooldown() -> None:
    clock, changes = Clock(), []
    cb = breaker(clock, changes)
    fail(cb, 3)
    clock.now += 31
    cb.before_call()
    cb.failed()
    assert cb.state is BreakerState.OPEN
    with pytest.raises(PaymentProviderUnavailable) as raised:
        cb.before_call()
    assert raised.value.retry_after_seconds == 30
    assert changes[-2:] == [("open", "half_open"), ("half_open", "open")]


def test_an_abandoned_trial_lets_the_next_call_try() -> None:
    clock = Clock()
    cb = breaker(clock)
    fail(cb, 3)
    clock.now += 30
    cb.before_call()
    cb.abandoned()  # e.g. the request was cancelled
    cb.before_call()
    assert cb.state is BreakerState.HALF_OPEN


class Scripted:
    """A provider whose calls raise or return what the test says."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls = 0
        self.answer: Any = None

    async def create_and_confirm(self, **kwargs: Any) -> Any:
        self.calls += 1
        if isinstance(self.answer, BaseException):
            raise self.answer
        if self.answer == "hang":
            await asyncio.sleep(10)
        return self.answer

    def complete_action(self) -> str:
        return "extra"


async def test_the_wrapper_counts_outages_and_timeouts_not_refusals() -> None:
    clock, inner = Clock(), Scripted()
    provider = BreakerProvider(inner, breaker(clock), timeout_seconds=0.05)  # type: ignore[arg-type]
    inner.answer = PaymentRequestRejected("unknown payment method")
    with pytest.raises(PaymentRequestRejected):
        await provider.create_and_confirm(amount_minor=1)
    inner.answer = PaymentProviderUnavailable("503")
    for _ in range(2):
        with pytest.raises(PaymentProviderUnavailable):
            await provider.create_and_confirm(amount_minor=1)
    inner.answer = "hang"
    with pytest.raises(PaymentProviderUnavailable, match="did not answer"):
        await provider.create_and_confirm(amount_minor=1)
    assert provider.breaker.state is BreakerState.OPEN and inner.calls == 4
    with pytest.raises(PaymentProviderUnavailable) as raised:
        await provider.create_and_confirm(amount_minor=1)
    assert inner.calls == 4 and raised.value.retry_after_seconds == 30
    assert provider.complete_action() == "extra"  # adapter extras pass through


def test_every_method_of_the_port_goes_through_the_breaker() -> None:
    """A method added to the port must be added to the wrapper (one line with `_call`),
    not reach the adapter unguarded through __getattr__."""
    port = {name for name, value in vars(PaymentProvider).items()
            if inspect.isfunction(value) and not name.startswith("_")}
    assert port <= set(vars(BreakerProvider)), port - set(vars(BreakerProvider))
