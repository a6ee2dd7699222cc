"""Sales tax by destination.

Rules (docs/rules.md "Checkout"):
- Rates come from a configuration table keyed "COUNTRY-REGION" (e.g. "US-CA") or
  "COUNTRY-*" (every other region of that country), as integers in thousandths of a percent
  (7250 = 7.25 %). Lookup is case-insensitive: exact region first, then the country wildcard,
  else 0. No destination yet means no tax.
- Tax is charged on (items after every discount, points included, + shipping) and rounded
  half-even to the minor unit once, for the whole order; the engine then splits it across
  lines and shipments by largest remainder.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from domain.pricing.rounding import RATE_SCALE, apply_rate

DEMO_TAX_RATES: Mapping[str, int] = {"US-CA": 7250, "US-NY": 8875, "US-*": 5000}


@dataclass(frozen=True)
class Destination:
    country: str
    region: str | None = None


def rate_for(rates: Mapping[str, int], destination: Destination | None) -> int:
    """The rate in thousandths of a percent for a destination (0 when none applies)."""
    if destination is None or not destination.country:
        return 0
    table = {key.strip().upper(): rate for key, rate in rates.items()}
    country = destination.country.strip().upper()
    region = (destination.region or "").strip().upper()
    if region and f"{country}-{region}" in table:
        return table[f"{country}-{region}"]
    return table.get(f"{country}-*", 0)


def tax_on(base_minor: int, rate: int) -> int:
    """Tax on a non-negative base, half-even to the minor unit."""
    return apply_rate(max(base_minor, 0), rate)


def rate_from_percent(text: str) -> int:
    """Parse a configured percentage such as "7.25" into thousandths of a percent (7250)."""
    try:
        value = Decimal(text.strip()) * (RATE_SCALE // 100)
    except InvalidOperation:
        raise ValueError(f"not a percentage: {text!r}") from None
    if value != value.to_integral_value() or not 0 <= value <= RATE_SCALE:
        raise ValueError(f"tax rate must be 0..100 with at most 3 decimals: {text!r}")
    return int(value)
