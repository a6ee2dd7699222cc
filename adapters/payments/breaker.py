"""A circuit breaker around the payment provider (docs/rules.md, "Database faults and provider
outages").

`CircuitBreaker` is the state machine, no I/O, on an injected monotonic clock:
- closed: calls go through; `failures` consecutive failures (PaymentProviderUnavailable, or no
  answer within the call timeout) open it;
- open: calls fail at once with PaymentProviderUnavailable carrying `retry_after_seconds`
  (what is left of the cool-down), without reaching the provider;
- half_open: after the cool-down, exactly one call is let through as a trial (others still fail
  fast); its success closes the breaker, its failure opens it for another cool-down.
An answer that is not an outage (a decline, a request the provider refuses) counts as a success:
the provider is up. Every transition is logged and reported to `on_change`.

`BreakerProvider` implements the PaymentProvider port (domain/payments/provider.py) around any
adapter: each network method is one line through `_call`; `parse_webhook` needs no network and goes
straight through, and adapter extras (the offline provider's `complete_action`, `aclose`) are
reached through the wrapper unguarded.

Why not a library: aiobreaker (last release 2021) is unmaintained; purgatory (asyncio-native)
lets every concurrent call through while half-open rather than one trial and reads time.time()
with no way to inject a clock; pybreaker's async path needs tornado. This is ~100 lines.
"""
from __future__ import annotations

import asyncio
import logging
import math
import time
from enum import StrEnum
from typing import Any, Awaitable, Callable, TypeVar

from domain.payments.provider import (
    IntentResult,
    PaymentProvider,
    PaymentProviderUnavailable,
    PaymentRequestRejected,
    RefundResult,
    WebhookEvent,
)

T = TypeVar("T")
log = logging.getLogger("marketplace.payments.breaker")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(self, *, failures: int, cooldown_seconds: float, name: str = "payments",
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[BreakerState, BreakerState], None] | None = None) -> None:
        self.threshold = max(1, failures)
        self.cooldown = cooldown_seconds
        self.name = name
        self._clock = clock
        self._on_change = on_change
        self.state = BreakerState.CLOSED
        self.failures = 0
        self._opened_at = 0.0
        self._trial = False

    def retry_after(self) -> int:
        left = self._opened_at + self.cooldown - self._clock()
        return max(1, math.ceil(left))

    def before_call(self) -> None:
        """Let the call through, or raise PaymentProviderUnavailable at once."""
        if self.state is BreakerState.OPEN and self._clock() >= self._opened_at + self.cooldown:
            self._move(BreakerState.HALF_OPEN)
        if self.state is BreakerState.CLOSED:
            return
        if self.state is BreakerState.HALF_OPEN and not self._trial:
            self._trial = True  # this call is the one trial
            return
        seconds = self.retry_after()
        raise PaymentProviderUnavailable(
            f"The payment provider is unavailable; retry in {seconds} s.",
            retry_after_seconds=seconds)

    def succeeded(self) -> None:
        self.failures = 0
        self._trial = False
        if self.state is not BreakerState.CLOSED:
            self._move(BreakerState.CLOSED)

    def failed(self) -> None:
        self._trial = False
        self.failures += 1
        if self.state is BreakerState.HALF_OPEN or (
                self.state is BreakerState.CLOSED and self.failures >= self.threshold):
            self._opened_at = self._clock()
            self._move(BreakerState.OPEN)

    def abandoned(self) -> None:
        """The call ended without telling whether the provider is up (cancelled, a bug)."""
        self._trial = False

    def _move(self, state: BreakerState) -> None:
        previous, self.state = self.state, state
        log.warning("circuit breaker %s: %s -> %s (%d consecutive failures)", self.name,
                    previous, state, self.failures)
        if self._on_change is not None:
            self._on_change(previous, state)


class BreakerProvider:
    """The PaymentProvider port through a CircuitBreaker, each call bounded by a timeout."""

    def __init__(self, inner: PaymentProvider, breaker: CircuitBreaker,
                 timeout_seconds: float) -> None:
        self.inner = inner
        self.name = inner.name
        self.breaker = breaker
        self.timeout_seconds = timeout_seconds

    async def create_and_confirm(self, **kwargs: Any) -> IntentResult:
        return await self._call(self.inner.create_and_confirm, **kwargs)

    async def retrieve(self, reference: str) -> IntentResult:
        return await self._call(self.inner.retrieve, reference)

    async def refund(self, **kwargs: Any) -> RefundResult:
        return await self._call(self.inner.refund, **kwargs)

    async def cancel(self, reference: str) -> IntentResult:
        return await self._call(self.inner.cancel, reference)

    def parse_webhook(self, payload: bytes, signature_header: str) -> WebhookEvent:
        return self.inner.parse_webhook(payload, signature_header)

    def __getattr__(self, name: str) -> Any:
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)  # adapter extras, not guarded

    async def _call(self, method: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        self.breaker.before_call()
        try:
            async with asyncio.timeout(self.timeout_seconds):
                result = await method(*args, **kwargs)
        except PaymentProviderUnavailable:
            self.breaker.failed()
            raise
        except TimeoutError as exc:
            self.breaker.failed()
            raise PaymentProviderUnavailable(
                f"The payment provider did not answer within {self.timeout_seconds:g} s."
            ) from exc
        except PaymentRequestRejected:
            self.breaker.succeeded()  # refused, but it answered: the provider is up
            raise
        except BaseException:
            self.breaker.abandoned()
            raise
        self.breaker.succeeded()
        return result
