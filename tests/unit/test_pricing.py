"""The pricing engine: the worked example of docs/rules.md, rounding, the tier discount and
the input checks."""
from __future__ import annotations


import pytest

from domain.errors import DomainError
from domain.loyalty.points import Tier
from domain.pricing import (
    PriceLine,
    calculate,
)
from domain.pricing.rounding import allocate, apply_rate, div_half_even, percent_of
from tests.support.pricing import CA, SUMMER, code_of, request, usd


# ---------------------------------------------------------------- worked example

def test_worked_example_headphones_summer2024_points_standard_to_california() -> None:
    """2 x 249.99 headphones from one seller, SUMMER2024 (20 %), 500 points, STANDARD to
    US-CA, BRONZE buyer with enough points."""
    breakdown = calculate(request(
        [PriceLine("headphones", "seller-1", 24999, 2)], tier=Tier.BRONZE,
        promotion=SUMMER, points_balance=1200, points_requested=500,
        shipping_method="STANDARD", destination=CA))

    # Items subtotal: 2 x 24999 = 49998.
    assert breakdown.subtotal == usd(49998)
    # BRONZE has no tier discount.
    assert breakdown.tier_discount == usd(0)
    # Promotion: 20 % of 49998 = 9999.6 -> half-even to the minor unit -> 10000 (not a tie).
    assert breakdown.promotion_discount == usd(10000)
    # Items after promotion: 49998 - 10000 = 39998; the points cap is half: 19999 points.
    assert breakdown.max_points == 19999
    # 500 points = 5.00 (1 point per cent) -> items after all discounts 39998 - 500 = 39498.
    assert breakdown.points_discount == usd(500)
    assert breakdown.items_total == usd(39498)
    # Shipping: items after tier+promotion (39998, before points) >= 5000 -> STANDARD is free.
    assert breakdown.shipping == usd(0)
    assert breakdown.shipping_method is not None
    assert (breakdown.shipping_method.code, breakdown.shipping_method.estimated_days) == (
        "STANDARD", 5)
    # Tax: 7.25 % of (39498 + 0) = 2863.605 -> 2864 (above the half, so up).
    assert breakdown.tax_rate == 7250
    assert breakdown.tax == usd(2864)
    # Total: 49998 - (10000 + 500) + 0 + 2864 = 42362.
    assert breakdown.discount_total == usd(10500)
    assert breakdown.total == usd(42362)
    assert breakdown.points_used == 500
    assert [(d.type, d.code, d.amount) for d in breakdown.discounts] == [
        ("PROMOTION", "SUMMER2024", usd(10000)), ("LOYALTY_POINTS", None, usd(500))]
    assert breakdown.discounts[0].description == "Summer sale: 20% off"
    # One line carries everything.
    (line,) = breakdown.lines
    assert (line.subtotal, line.promotion_discount, line.points_discount, line.net, line.tax) == (
        usd(49998), usd(10000), usd(500), usd(39498), usd(2864))
    # Ledger figures: R_s = 39998 (after tier and promotion), S_s = 0; points by the platform.
    (seller,) = breakdown.sellers
    assert (seller.item_revenue, seller.shipping, seller.points_discount, seller.tax) == (
        usd(39998), usd(0), usd(500), usd(2864))
    # Points earned once paid: 1 per whole unit of 394.98 -> 394.
    assert breakdown.points_earned == 394


# ---------------------------------------------------------------- rounding

@pytest.mark.parametrize("n,d,expected", [
    (99996, 10, 10000), (25, 10, 2), (35, 10, 4), (15, 10, 2), (-25, 10, -2), (-35, 10, -4),
    (-26, 10, -3), (7, 1, 7), (1, 3, 0), (2, 3, 1), (5, -2, -2)])
def test_div_half_even(n: int, d: int, expected: int) -> None:
    assert div_half_even(n, d) == expected


def test_percent_and_rate() -> None:
    assert percent_of(49998, 20) == 10000
    assert percent_of(50, 5) == 2  # 2.5 -> 2
    assert percent_of(70, 5) == 4  # 3.5 -> 4
    assert apply_rate(39498, 7250) == 2864
    assert apply_rate(200, 8875) == 18  # 17.75
    assert apply_rate(1000, 1250) == 12  # 12.5 -> 12


def test_allocate_largest_remainder() -> None:
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]  # ties go to the earlier position
    assert allocate(100, [3998, 999]) == [80, 20]
    assert allocate(1, [1, 2]) == [0, 1]  # remainders 1/3 vs 2/3
    assert allocate(0, [5, 7]) == [0, 0]
    assert allocate(5, [0, 0]) == [3, 2]  # all-zero weights: even split
    assert allocate(-10, [1, 1, 1]) == [-4, -3, -3]
    assert allocate(0, []) == []
    with pytest.raises(ValueError):
        allocate(1, [])
    with pytest.raises(ValueError):
        allocate(1, [1, -1])


# ---------------------------------------------------------------- tier discount

def test_gold_tier_takes_five_percent_split_by_largest_remainder() -> None:
    breakdown = calculate(request(
        [PriceLine("a", 1, 333, 1), PriceLine("b", 1, 333, 1), PriceLine("c", 2, 334, 1)],
        tier=Tier.GOLD))
    # 5 % of 1000 = 50; exact shares 16.65, 16.65, 16.7 -> floors 16, 16, 16, two units left
    # go to the largest remainders (c: 0.7, then a: 0.65 before b by position).
    assert [line.tier_discount.minor for line in breakdown.lines] == [17, 16, 17]
    assert breakdown.discounts[0].type == "TIER"
    assert breakdown.discounts[0].amount == usd(50)
    assert breakdown.total == usd(950)  # GOLD: free shipping not chosen yet, no destination


def test_gold_tier_rounds_half_even() -> None:
    # 5 % of 50 = 2.5 -> 2; of 70 = 3.5 -> 4
    assert calculate(request([PriceLine("a", 1, 50, 1)], tier=Tier.GOLD)).tier_discount == usd(2)
    assert calculate(request([PriceLine("a", 1, 70, 1)], tier=Tier.GOLD)).tier_discount == usd(4)


@pytest.mark.parametrize("tier", [Tier.BRONZE, Tier.SILVER])
def test_no_tier_discount_below_gold(tier: Tier) -> None:
    breakdown = calculate(request([PriceLine("a", 1, 10000, 1)], tier=tier))
    assert breakdown.tier_discount == usd(0)
    assert breakdown.discounts == ()


def test_promotion_applies_after_tier_discount() -> None:
    breakdown = calculate(request([PriceLine("a", 1, 10000, 1)], tier=Tier.GOLD,
                                  promotion=SUMMER))
    # 10000 - 500 (5 %) = 9500; 20 % of 9500 = 1900
    assert breakdown.tier_discount == usd(500)
    assert breakdown.promotion_discount == usd(1900)
    assert [d.type for d in breakdown.discounts] == ["TIER", "PROMOTION"]


# ---------------------------------------------------------------- input checks

def test_mixed_currencies_are_invalid_input() -> None:
    with pytest.raises(DomainError) as excinfo:
        calculate(request([PriceLine("a", 1, 1000, 1, "USD"), PriceLine("b", 1, 1000, 1, "EUR")]))
    assert code_of(excinfo) == "INVALID_INPUT"


def test_empty_checkout_prices_to_zero_with_an_explicit_currency() -> None:
    breakdown = calculate(request([], currency="USD", shipping_method="STANDARD",
                                  destination=CA))
    assert (breakdown.subtotal, breakdown.shipping, breakdown.tax, breakdown.total) == (
        usd(0), usd(0), usd(0), usd(0))


def test_programming_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        calculate(request([PriceLine("a", 1, 1000, 0)]))
    with pytest.raises(ValueError):
        calculate(request([PriceLine("a", 1, 1000, 1), PriceLine("a", 1, 1000, 1)]))
    with pytest.raises(ValueError):
        calculate(request([PriceLine("a", 1, 1000, 1)], promotion=SUMMER, now=None))
