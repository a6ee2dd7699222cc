"""The pricing engine after the discounts: loyalty points, shipping per seller and tax."""
from __future__ import annotations


import pytest

from domain.errors import DomainError
from domain.loyalty.points import Tier
from domain.money import Money
from domain.pricing import (
    DEMO_TAX_RATES,
    Destination,
    PriceLine,
    available_shipping_methods,
    calculate,
)
from domain.pricing.shipping import scaled
from domain.pricing.tax import rate_for, rate_from_percent
from domain.promotions.codes import Promotion, PromotionKind
from tests.support.pricing import NOW, SUMMER, code_of, request, usd


# ---------------------------------------------------------------- loyalty points

def test_points_cap_is_half_of_items_after_tier_and_promotion_floored() -> None:
    lines = [PriceLine("a", 1, 1001, 1)]
    ok = calculate(request(lines, points_balance=10_000, points_requested=500))
    assert ok.max_points == 500  # floor(1001 / 2)
    assert ok.points_discount == usd(500)
    with pytest.raises(DomainError) as excinfo:
        calculate(request(lines, points_balance=10_000, points_requested=501))
    assert code_of(excinfo) == "INVALID_INPUT"
    assert "At most 500 points" in excinfo.value.message
    assert excinfo.value.data == {"maximum": 500}
    assert excinfo.value.field == ["input", "loyaltyPointsToUse"]


def test_points_over_the_balance_is_insufficient_points() -> None:
    with pytest.raises(DomainError) as excinfo:
        calculate(request([PriceLine("a", 1, 10000, 1)], points_balance=99, points_requested=100))
    assert code_of(excinfo) == "INSUFFICIENT_POINTS"


def test_negative_points_is_invalid_input() -> None:
    with pytest.raises(DomainError) as excinfo:
        calculate(request([PriceLine("a", 1, 10000, 1)], points_balance=99, points_requested=-1))
    assert code_of(excinfo) == "INVALID_INPUT"


def test_points_split_across_lines_after_promotion() -> None:
    lines = [PriceLine("a", 1, 1000, 1), PriceLine("b", 2, 2000, 1)]
    breakdown = calculate(request(lines, promotion=SUMMER, points_balance=1000,
                                  points_requested=100))
    # after promotion: 800 and 1600 -> 100 points split 33.3 / 66.7 -> 33 + 67
    assert [line.points_discount.minor for line in breakdown.lines] == [33, 67]
    # sellers keep their revenue after the promotion; points are the platform's
    assert [s.item_revenue.minor for s in breakdown.sellers] == [800, 1600]


def test_points_in_a_zero_decimal_currency_move_in_steps_of_a_hundred() -> None:
    lines = [PriceLine("a", 1, 1000, 1, "JPY")]
    breakdown = calculate(request(lines, points_balance=100_000, points_requested=20_000))
    assert breakdown.points_discount == Money(200, "JPY")  # 100 points = 1 yen
    assert breakdown.max_points == 50_000
    with pytest.raises(DomainError) as excinfo:
        calculate(request(lines, points_balance=100_000, points_requested=150))
    assert code_of(excinfo) == "INVALID_INPUT"


# ---------------------------------------------------------------- shipping

def test_standard_and_express_are_charged_per_seller() -> None:
    lines = [PriceLine("a", "s1", 1000, 1), PriceLine("b", "s2", 1000, 1),
             PriceLine("c", "s1", 500, 1)]
    standard = calculate(request(lines, shipping_method="STANDARD"))
    assert standard.shipping == usd(2 * 599)
    assert [(s.seller_id, s.shipping.minor) for s in standard.sellers] == [("s1", 599),
                                                                          ("s2", 599)]
    express = calculate(request(lines, shipping_method="express"))
    assert express.shipping == usd(2 * 1499)
    assert express.shipping_method is not None and express.shipping_method.estimated_days == 2


def test_standard_free_threshold_uses_items_after_tier_and_promotion_before_points() -> None:
    # 6250 - 20 % = 5000 -> exactly the threshold -> free, even though points take it lower.
    at = calculate(request([PriceLine("a", 1, 6250, 1)], promotion=SUMMER,
                           points_balance=2000, points_requested=2000,
                           shipping_method="STANDARD"))
    assert at.shipping == usd(0)
    # 6249 - 20 % = 4999.2 -> 4999 after 1250 off -> below 5000 -> charged.
    below = calculate(request([PriceLine("a", 1, 6249, 1)], promotion=SUMMER,
                              shipping_method="STANDARD"))
    assert below.promotion_discount == usd(1250)
    assert below.shipping == usd(599)
    # The threshold frees STANDARD only.
    assert calculate(request([PriceLine("a", 1, 9000, 1)], shipping_method="EXPRESS")
                     ).shipping == usd(1499)


@pytest.mark.parametrize("tier,standard,express", [
    (Tier.BRONZE, 599, 1499), (Tier.SILVER, 0, 1499), (Tier.GOLD, 0, 0)])
def test_tier_shipping_benefits(tier: Tier, standard: int, express: int) -> None:
    options = available_shipping_methods(request([PriceLine("a", 1, 1000, 1)], tier=tier))
    assert [(o.code, o.name, o.price.minor, o.estimated_days) for o in options] == [
        ("STANDARD", "Standard shipping", standard, 5),
        ("EXPRESS", "Express shipping", express, 2)]


def test_available_shipping_methods_ignores_a_code_that_does_not_apply() -> None:
    lines = [PriceLine("a", 1, 1000, 1)]
    gone = Promotion("GONE", PromotionKind.FREE_SHIPPING, ends_at=NOW)
    assert available_shipping_methods(request(lines, promotion=gone))[0].price == usd(599)
    free = Promotion("FREESHIP", PromotionKind.FREE_SHIPPING)
    assert available_shipping_methods(request(lines, promotion=free))[0].price == usd(0)


def test_unknown_shipping_method_is_invalid_input() -> None:
    with pytest.raises(DomainError) as excinfo:
        calculate(request([PriceLine("a", 1, 1000, 1)], shipping_method="DRONE"))
    assert code_of(excinfo) == "INVALID_INPUT"
    assert excinfo.value.field == ["input", "shippingMethodCode"]


def test_no_shipping_method_yet_costs_nothing() -> None:
    breakdown = calculate(request([PriceLine("a", 1, 1000, 1)]))
    assert breakdown.shipping == usd(0) and breakdown.shipping_method is None


def test_shipping_amounts_scale_with_the_currency_exponent() -> None:
    assert scaled(599, "USD") == 599
    assert scaled(599, "KWD") == 5990
    assert scaled(599, "JPY") == 6


# ---------------------------------------------------------------- tax

def test_tax_rate_lookup() -> None:
    assert rate_for(DEMO_TAX_RATES, Destination("US", "CA")) == 7250
    assert rate_for(DEMO_TAX_RATES, Destination("us", "ny")) == 8875
    assert rate_for(DEMO_TAX_RATES, Destination("US", "TX")) == 5000
    assert rate_for(DEMO_TAX_RATES, Destination("DE", "BE")) == 0
    assert rate_for(DEMO_TAX_RATES, None) == 0
    assert rate_from_percent("7.25") == 7250
    assert rate_from_percent("8.875") == 8875
    with pytest.raises(ValueError):
        rate_from_percent("1.2345")


def test_tax_on_items_after_discounts_plus_shipping_split_over_lines_and_shipping() -> None:
    lines = [PriceLine("a", "s1", 1000, 1), PriceLine("b", "s2", 2000, 1)]
    breakdown = calculate(request(lines, shipping_method="STANDARD",
                                  destination=Destination("US", "NY")))
    # base = 3000 + 2 x 599 = 4198; 8.875 % = 372.5725 -> 373
    assert breakdown.tax == usd(373)
    line_tax = [line.tax.minor for line in breakdown.lines]
    shipping_tax = [s.shipping_tax.minor for s in breakdown.sellers]
    assert sum(line_tax) + sum(shipping_tax) == 373
    assert line_tax == [89, 178] and shipping_tax == [53, 53]
    assert [s.tax.minor for s in breakdown.sellers] == [89 + 53, 178 + 53]
    assert breakdown.total == usd(3000 + 1198 + 373)


def test_no_destination_means_no_tax() -> None:
    assert calculate(request([PriceLine("a", 1, 1000, 1)])).tax == usd(0)
