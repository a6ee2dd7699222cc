"""Pricing requests for unit tests: a fixed moment, a Californian destination, a request with
the demo tax rates, the SUMMER2024 code and small helpers."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import DomainError
from domain.money import Money

from domain.pricing import DEMO_TAX_RATES, Destination, PriceLine, PricingRequest
from domain.promotions.codes import Promotion, PromotionKind

NOW = datetime(2024, 7, 1, 12, tzinfo=UTC)
CA = Destination("US", "CA")
SUMMER = Promotion("SUMMER2024", PromotionKind.PERCENT, 20, "Summer sale: 20% off")


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def code_of(excinfo: pytest.ExceptionInfo[DomainError]) -> str:
    return excinfo.value.code


def request(lines: list[PriceLine], **kw: object) -> PricingRequest:
    kw.setdefault("now", NOW)
    kw.setdefault("tax_rates", DEMO_TAX_RATES)
    return PricingRequest(lines=lines, **kw)  # type: ignore[arg-type]
