"""Stock of one variant: total = available + reserved + allocated, none negative.

The invariants are enforced by CHECK constraints and by single conditional UPDATE statements
in persistence/repositories/inventory.py (never read-then-write in Python); this module holds
the value object and the rules that interpret a move's outcome.

- OUT_OF_STOCK: the variant has no units on hand at all (total == 0).
- INSUFFICIENT_STOCK: units exist but fewer are available than asked (others hold them).
- Low stock: a move that takes `available` from above the threshold to at or below it
  records a LowStock event for the seller.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.errors import DomainError


@dataclass(frozen=True)
class StockLevel:
    variant_id: int
    total: int
    available: int
    reserved: int
    allocated: int
    low_stock_threshold: int

    @property
    def is_low(self) -> bool:
        return self.available <= self.low_stock_threshold


def crossed_low_stock(before_available: int, after: StockLevel) -> bool:
    return before_available > after.low_stock_threshold >= after.available


def shortage_error(level: StockLevel | None, requested: int, *field: str) -> DomainError:
    """The error for a hold of `requested` units that the stock could not give."""
    if level is None or level.total == 0:
        return DomainError("OUT_OF_STOCK", "This item is out of stock.", list(field) or None,
                           {"available": 0})
    return DomainError(
        "INSUFFICIENT_STOCK",
        f"Only {level.available} available; {requested} requested.",
        list(field) or None,
        {"available": level.available},
    )
