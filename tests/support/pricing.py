"""Pricing requests for unit tests: a fixed moment, a Californian destination and a request with
the demo tax rates."""
from __future__ import annotations

from datetime import UTC, datetime

from domain.pricing import DEMO_TAX_RATES, Destination, PriceLine, PricingRequest

NOW = datetime(2024, 7, 1, 12, tzinfo=UTC)
CA = Destination("US", "CA")


def request(lines: list[PriceLine], **kw: object) -> PricingRequest:
    kw.setdefault("now", NOW)
    kw.setdefault("tax_rates", DEMO_TAX_RATES)
    return PricingRequest(lines=lines, **kw)  # type: ignore[arg-type]
