"""Loyalty rules: tiers from points earned in the last 365 days, value of points, the 50 %
cap, spending and earning."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError
from domain.loyalty.points import (
    LoyaltyAccount,
    Tier,
    benefits,
    earned_in_window,
    max_points,
    minor_to_points,
    points_earned,
    points_error,
    points_step,
    points_to_minor,
    tier_for,
)
from domain.money import Money

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("earned,tier", [
    (0, Tier.BRONZE), (999, Tier.BRONZE), (1000, Tier.SILVER), (4999, Tier.SILVER),
    (5000, Tier.GOLD), (10**9, Tier.GOLD)])
def test_tier_thresholds(earned: int, tier: Tier) -> None:
    assert tier_for(earned) is tier
    assert LoyaltyAccount(points=0, earned_last_year=earned).tier is tier


def test_tier_counts_points_earned_in_the_last_365_days_not_the_balance() -> None:
    earnings = [
        (NOW - timedelta(days=365), 4000),  # exactly a year ago: outside the window
        (NOW - timedelta(days=364), 600),
        (NOW - timedelta(days=1), 500),
        (NOW + timedelta(days=1), 9000),  # the future does not count
    ]
    assert earned_in_window(earnings, NOW) == 1100
    account = LoyaltyAccount.from_history(50, earnings, NOW)
    assert (account.points, account.tier) == (50, Tier.SILVER)
    assert LoyaltyAccount(points=100_000, earned_last_year=0).tier is Tier.BRONZE


def test_benefits() -> None:
    assert benefits(Tier.BRONZE) == benefits("BRONZE")  # type: ignore[arg-type]
    bronze, silver, gold = (LoyaltyAccount(0, e) for e in (0, 1000, 5000))
    assert (bronze.free_shipping, bronze.tier_discount_percent) == (False, 0)
    assert (silver.free_shipping, silver.tier_discount_percent) == (True, 0)
    assert not silver.benefits.free_express_shipping
    assert (gold.free_shipping, gold.tier_discount_percent) == (True, 5)
    assert gold.benefits.free_express_shipping


def test_points_value_100_points_is_one_unit() -> None:
    assert LoyaltyAccount(points=12345).points_value("USD") == Money(12345, "USD")
    assert LoyaltyAccount(points=250).points_value("JPY") == Money(2, "JPY")  # floored
    assert LoyaltyAccount(points=250).points_value("KWD") == Money(2500, "KWD")
    assert points_to_minor(100, "EUR") == 100
    assert (points_step("USD"), points_step("JPY"), points_step("KWD")) == (1, 100, 1)
    assert minor_to_points(15, "JPY") == 1500
    assert minor_to_points(15, "KWD") == 1


def test_max_points_is_half_the_items_floored() -> None:
    assert max_points(39998, "USD") == 19999
    assert max_points(1001, "USD") == 500
    assert max_points(0, "USD") == 0
    assert max_points(3, "JPY") == 100  # 1 yen


def test_points_error_order_and_codes() -> None:
    assert points_error(0, balance=0, cap=0, currency="USD") is None
    assert points_error(500, balance=500, cap=500, currency="USD") is None
    negative = points_error(-1, balance=10, cap=10, currency="USD")
    assert negative is not None and negative.code == "INVALID_INPUT"
    over_balance = points_error(600, balance=500, cap=100, currency="USD")
    assert over_balance is not None and over_balance.code == "INSUFFICIENT_POINTS"
    over_cap = points_error(101, balance=500, cap=100, currency="USD")
    assert over_cap is not None and over_cap.code == "INVALID_INPUT"
    assert "At most 100 points" in over_cap.message and over_cap.data["maximum"] == 100
    step = points_error(150, balance=500, cap=500, currency="JPY")
    assert step is not None and step.code == "INVALID_INPUT" and "multiple of 100" in step.message


def test_points_earned_one_per_whole_unit_of_items_paid() -> None:
    assert points_earned(39498, "USD") == 394
    assert points_earned(99, "USD") == 0
    assert points_earned(1500, "JPY") == 1500
    assert points_earned(-5, "USD") == 0


def test_spend_and_earn() -> None:
    account = LoyaltyAccount(points=1000, earned_last_year=900)
    assert account.spend(400) == LoyaltyAccount(600, 900)
    with pytest.raises(DomainError) as excinfo:
        account.spend(1001)
    assert excinfo.value.code == "INSUFFICIENT_POINTS"
    with pytest.raises(DomainError):
        account.spend(-1)
    earned = account.earn(100)
    assert (earned.points, earned.earned_last_year, earned.tier) == (1100, 1000, Tier.SILVER)
    with pytest.raises(ValueError):
        account.earn(-1)
