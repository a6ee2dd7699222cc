"""Loyalty points and tiers: pure rules, no storage.

Rules (docs/rules.md "Checkout", "Orders, payments, ledger"):
- Value: 100 points = 1.00 of the order currency, so one point is worth 10**exponent / 100
  minor units: exactly 1 minor unit for two-decimal currencies (USD, EUR), 10 for
  three-decimal ones (KWD). For currencies with fewer decimals a point is a fraction of the
  minor unit, so points are spent in steps that are worth whole minor units (100 points for
  JPY = 1 yen); `points_step` gives the step. The value of a balance is floored.
- Spending at checkout: at most 50 % of the items after tier and promotion discounts, floored to
  whole minor units (`max_points`). Checks, in this order: a negative number or one that is
  not a multiple of the step is INVALID_INPUT; more than the balance is INSUFFICIENT_POINTS;
  more than the cap is INVALID_INPUT whose message names the maximum.
- Earning on payment: 1 point per whole currency unit of the items total paid, i.e. the items
  after tier, promotion AND points discounts (what the buyer paid for goods; shipping and tax
  earn nothing). Floored: 394.98 earns 394 points.
- Points taken back (an order that earned them cancelled or refunded) are taken in full, so
  the balance can be negative; a negative balance spends nothing and later earnings repay it
  (docs/rules.md "Money rules").
- Tier from the points EARNED (not the balance) in the last 365 days, i.e. EARN movements with
  now - 365 days < created_at <= now (a negative EARN movement, a reversal, counts against):
  BRONZE < 1,000 <= SILVER < 5,000 <= GOLD.
- Benefits: SILVER has free STANDARD shipping. GOLD has free shipping on both methods
  (STANDARD and EXPRESS; docs/rules.md says "free shipping" without a method) and 5 % off items.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import DomainError
from domain.money import Money, exponent

POINTS_PER_UNIT = 100
"""Points worth one whole currency unit (1.00)."""
SILVER_THRESHOLD = 1_000
GOLD_THRESHOLD = 5_000
TIER_WINDOW = timedelta(days=365)
MAX_POINTS_SHARE_PERCENT = 50
POINTS_FIELD = ("input", "loyaltyPointsToUse")


class Tier(StrEnum):
    BRONZE = "BRONZE"
    SILVER = "SILVER"
    GOLD = "GOLD"


@dataclass(frozen=True)
class TierBenefits:
    free_standard_shipping: bool
    free_express_shipping: bool
    discount_percent: int


_BENEFITS = {
    Tier.BRONZE: TierBenefits(False, False, 0),
    Tier.SILVER: TierBenefits(True, False, 0),
    Tier.GOLD: TierBenefits(True, True, 5),
}


def tier_for(points_earned_last_year: int) -> Tier:
    if points_earned_last_year >= GOLD_THRESHOLD:
        return Tier.GOLD
    if points_earned_last_year >= SILVER_THRESHOLD:
        return Tier.SILVER
    return Tier.BRONZE


def benefits(tier: Tier) -> TierBenefits:
    return _BENEFITS[Tier(tier)]


def earned_in_window(earnings: Iterable[tuple[datetime, int]], now: datetime) -> int:
    """Sum of EARN movements (created_at, points) with now - 365 days < created_at <= now."""
    start = now - TIER_WINDOW
    return sum(points for at, points in earnings if start < at <= now)


# ---------------------------------------------------------------- value of points

def _minor_per_unit(currency: str) -> int:
    return int(10 ** exponent(currency))


def points_step(currency: str) -> int:
    """Smallest number of points worth a whole number of minor units (1 for USD, 100 for JPY)."""
    minor_per_unit = _minor_per_unit(currency)
    step = POINTS_PER_UNIT
    while step > 1 and (step // 10) * minor_per_unit % POINTS_PER_UNIT == 0:
        step //= 10
    return step


def points_to_minor(points: int, currency: str) -> int:
    """Minor units `points` are worth, floored (exact when points is a multiple of the step)."""
    return points * _minor_per_unit(currency) // POINTS_PER_UNIT


def minor_to_points(minor: int, currency: str) -> int:
    """Most points, in whole steps, worth no more than `minor` minor units."""
    points = minor * POINTS_PER_UNIT // _minor_per_unit(currency)
    step = points_step(currency)
    return points - points % step


def max_points(items_after_discounts_minor: int, currency: str) -> int:
    """Cap on points for one order: 50 % of the items after tier and promotion discounts."""
    cap_minor = items_after_discounts_minor * MAX_POINTS_SHARE_PERCENT // 100
    return minor_to_points(max(cap_minor, 0), currency)


def points_error(requested: int, *, balance: int, cap: int, currency: str) -> DomainError | None:
    """Why `requested` points cannot be spent, or None when they can."""
    field = list(POINTS_FIELD)
    if requested < 0:
        return DomainError("INVALID_INPUT", "Loyalty points to use cannot be negative", field)
    step = points_step(currency)
    if requested % step:
        return DomainError(
            "INVALID_INPUT",
            f"Loyalty points for {currency} orders must be a multiple of {step}", field,
            {"step": step})
    if requested > max(balance, 0):  # a negative balance (points owed) spends nothing
        return DomainError(
            "INSUFFICIENT_POINTS",
            f"Requested {requested} points but the balance is {balance}", field,
            {"requested": requested, "balance": balance})
    if requested > cap:
        return DomainError(
            "INVALID_INPUT",
            f"At most {cap} points can be used on this order "
            f"({MAX_POINTS_SHARE_PERCENT}% of the items after discounts)", field,
            {"maximum": cap})
    return None


def points_earned(items_paid_minor: int, currency: str) -> int:
    """1 point per whole currency unit of the items total paid (floored, never negative)."""
    return max(items_paid_minor, 0) // _minor_per_unit(currency)


# ---------------------------------------------------------------- the account

@dataclass(frozen=True)
class LoyaltyAccount:
    """A buyer's balance plus the points earned in the last 365 days (which set the tier)."""

    points: int = 0
    earned_last_year: int = 0

    @classmethod
    def from_history(cls, points: int, earnings: Iterable[tuple[datetime, int]],
                     now: datetime) -> LoyaltyAccount:
        return cls(points, earned_in_window(earnings, now))

    @property
    def tier(self) -> Tier:
        return tier_for(self.earned_last_year)

    @property
    def benefits(self) -> TierBenefits:
        return benefits(self.tier)

    @property
    def free_shipping(self) -> bool:
        """The contract's `freeShipping`: the tier gives (at least) free standard shipping."""
        return self.benefits.free_standard_shipping

    @property
    def tier_discount_percent(self) -> int:
        return self.benefits.discount_percent

    def points_value(self, currency: str) -> Money:
        """What the balance can buy now: nothing while it is negative (points taken back
        after they were spent: later earnings repay them first)."""
        return Money(points_to_minor(max(self.points, 0), currency), currency)

    def spend(self, points: int) -> LoyaltyAccount:
        if points < 0:
            raise DomainError("INVALID_INPUT", "Points to spend cannot be negative",
                              list(POINTS_FIELD))
        if points > max(self.points, 0):
            raise DomainError("INSUFFICIENT_POINTS",
                              f"Requested {points} points but the balance is {self.points}",
                              list(POINTS_FIELD), {"requested": points, "balance": self.points})
        return replace(self, points=self.points - points)

    def earn(self, points: int) -> LoyaltyAccount:
        if points < 0:
            raise ValueError("earned points cannot be negative")
        return replace(self, points=self.points + points,
                       earned_last_year=self.earned_last_year + points)
