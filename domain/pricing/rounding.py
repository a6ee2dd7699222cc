"""Integer rounding and allocation: the only arithmetic the pricing engine uses.

Rules:
- `div_half_even(n, d)` is n / d rounded to the nearest integer, ties to the even neighbour
  (banker's rounding), computed exactly on integers. 9999.6 -> 10000, 2.5 -> 2, 3.5 -> 4,
  -2.5 -> -2.
- `percent_of(amount, percent)` and `apply_rate(amount, rate)` are built on it; a rate is in
  thousandths of a percent (7250 = 7.25 %), so `apply_rate(x, r) = x * r / 100_000`.
- `allocate(total, weights)` splits an integer total in proportion to non-negative integer
  weights by the largest-remainder (Hamilton) method: every share starts at the floor of its
  exact proportional share, and the units left over go one each to the shares with the largest
  remainders (ties: the earlier position). The shares add up exactly to the total and each one
  differs from its exact proportional share by less than one unit. When total <= sum(weights)
  no share exceeds its weight, so splitting a discount never takes a line below zero. When all
  weights are zero the total is split evenly (same method, equal weights).
"""
from __future__ import annotations

from collections.abc import Sequence

RATE_SCALE = 100_000
"""Tax and similar rates are integers in thousandths of a percent: 100 % == 100_000."""


def div_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-to-even, exactly."""
    if denominator == 0:
        raise ZeroDivisionError("division by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)  # floor; 0 <= remainder < denominator
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def percent_of(amount: int, percent: int) -> int:
    """`percent` % of `amount`, half-even (percent is a whole number, 0..100)."""
    return div_half_even(amount * percent, 100)


def apply_rate(amount: int, rate: int) -> int:
    """`amount` times a rate in thousandths of a percent, half-even."""
    return div_half_even(amount * rate, RATE_SCALE)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` across `weights` by largest remainder; the result sums exactly to total.

    A negative total is split as the mirror image of its absolute value.
    """
    if any(w < 0 for w in weights):
        raise ValueError("allocation weights must not be negative")
    if not weights:
        if total != 0:
            raise ValueError("cannot allocate a non-zero total over no weights")
        return []
    if total < 0:
        return [-share for share in allocate(-total, weights)]
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * len(weights)
        weight_sum = len(weights)
    shares: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        share, remainder = divmod(total * weight, weight_sum)
        shares.append(share)
        remainders.append(remainder)
    left_over = total - sum(shares)  # 0 <= left_over < len(weights)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in by_remainder[:left_over]:
        shares[index] += 1
    return shares
