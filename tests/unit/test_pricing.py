"""The pricing engine: each rule, each error code, and the worked example of docs/rules.md."""
from __future__ import annotations

from datetime import timedelta

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
    preview_promotions,
)
from domain.pricing.rounding import allocate, apply_rate, div_half_even, percent_of
from domain.pricing.shipping import scaled
from domain.pricing.tax import rate_for, rate_from_percent
from domain.promotions.codes import Promotion, PromotionKind
from tests.support.pricing import CA, NOW, request

SUMMER = Promotion("SUMMER2024", PromotionKind.PERCENT, 20, "Summer sale: 20% off")


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def code_of(excinfo: pytest.ExceptionInfo[DomainError]) -> str:
    return excinfo.value.code


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


# ---------------------------------------------------------------- promotions in the engine

def test_fixed_promotion_split_across_lines_and_capped() -> None:
    lines = [PriceLine("a", 1, 1000, 1), PriceLine("b", 1, 3000, 1)]
    fixed = Promotion("TENOFF", PromotionKind.FIXED, 1001)
    breakdown = calculate(request(lines, promotion=fixed))
    assert [line.promotion_discount.minor for line in breakdown.lines] == [250, 751]
    huge = Promotion("HUGE", PromotionKind.FIXED, 999_999)
    breakdown = calculate(request(lines, promotion=huge))
    assert breakdown.promotion_discount == usd(4000)
    assert breakdown.total == usd(0)


def test_seller_restricted_promotion_only_discounts_that_sellers_lines() -> None:
    lines = [PriceLine("a", "s1", 2000, 1), PriceLine("b", "s2", 3000, 1)]
    promo = Promotion("S2TEN", PromotionKind.PERCENT, 10, seller_id="s2")
    breakdown = calculate(request(lines, promotion=promo))
    assert [line.promotion_discount.minor for line in breakdown.lines] == [0, 300]
    assert [s.item_revenue.minor for s in breakdown.sellers] == [2000, 2700]


def test_seller_restricted_promotion_without_that_seller_is_not_applicable() -> None:
    promo = Promotion("S9", PromotionKind.PERCENT, 10, seller_id="s9")
    with pytest.raises(DomainError) as excinfo:
        calculate(request([PriceLine("a", "s1", 2000, 1)], promotion=promo))
    assert code_of(excinfo) == "PROMOTION_NOT_APPLICABLE"
    assert excinfo.value.field == ["input", "promotionCodes"]


def test_min_subtotal_is_checked_after_tier_discount() -> None:
    promo = Promotion("MIN100", PromotionKind.FIXED, 500, min_subtotal_minor=10000)
    # GOLD: 10000 - 500 = 9500 < 10000 -> not applicable, the message says what is missing.
    with pytest.raises(DomainError) as excinfo:
        calculate(request([PriceLine("a", 1, 10000, 1)], tier=Tier.GOLD, promotion=promo))
    assert code_of(excinfo) == "PROMOTION_NOT_APPLICABLE"
    assert "100.00" in excinfo.value.message and "5.00" in excinfo.value.message
    # BRONZE: exactly 10000 qualifies (inclusive).
    assert calculate(request([PriceLine("a", 1, 10000, 1)], promotion=promo)
                     ).promotion_discount == usd(500)


@pytest.mark.parametrize("promo,reason", [
    (Promotion("OLD", PromotionKind.PERCENT, 10, active=False), "INACTIVE"),
    (Promotion("SOON", PromotionKind.PERCENT, 10, starts_at=NOW + timedelta(days=1)),
     "NOT_STARTED"),
    (Promotion("GONE", PromotionKind.PERCENT, 10, ends_at=NOW), "EXPIRED"),
    (Promotion("USED", PromotionKind.PERCENT, 10, usage_limit=5, times_used=5),
     "USAGE_LIMIT_REACHED"),
])
def test_invalid_promotions_raise_promotion_invalid(promo: Promotion, reason: str) -> None:
    with pytest.raises(DomainError) as excinfo:
        calculate(request([PriceLine("a", 1, 1000, 1)], promotion=promo))
    assert code_of(excinfo) == "PROMOTION_INVALID"
    assert excinfo.value.data["reason"] == reason


def test_per_customer_limit_reached_is_promotion_invalid() -> None:
    promo = Promotion("ONCE", PromotionKind.PERCENT, 10, per_customer_limit=1)
    lines = [PriceLine("a", 1, 1000, 1)]
    assert calculate(request(lines, promotion=promo, promotion_customer_uses=0)
                     ).promotion_discount == usd(100)
    with pytest.raises(DomainError) as excinfo:
        calculate(request(lines, promotion=promo, promotion_customer_uses=1))
    assert code_of(excinfo) == "PROMOTION_INVALID"
    assert "maximum of 1" in excinfo.value.message


def test_free_shipping_promotion_frees_standard_only() -> None:
    free = Promotion("FREESHIP", PromotionKind.FREE_SHIPPING)
    lines = [PriceLine("a", "s1", 1000, 1), PriceLine("b", "s2", 1000, 1)]
    standard = calculate(request(lines, promotion=free, shipping_method="STANDARD"))
    assert standard.shipping == usd(0)
    assert standard.promotion_shipping_saving == usd(1198)
    assert [(d.type, d.code, d.amount) for d in standard.discounts] == [
        ("PROMOTION", "FREESHIP", usd(0))]
    express = calculate(request(lines, promotion=free, shipping_method="EXPRESS"))
    assert express.shipping == usd(2998)
    assert express.promotion_shipping_saving == usd(0)


def test_seller_restricted_free_shipping_frees_only_that_sellers_shipment() -> None:
    free = Promotion("S1SHIP", PromotionKind.FREE_SHIPPING, seller_id="s1")
    lines = [PriceLine("a", "s1", 1000, 1), PriceLine("b", "s2", 1000, 1)]
    breakdown = calculate(request(lines, promotion=free, shipping_method="STANDARD"))
    assert [s.shipping.minor for s in breakdown.sellers] == [0, 599]


def test_promotion_in_another_currency_is_not_applicable_when_it_has_amounts() -> None:
    eur_lines = [PriceLine("a", 1, 1000, 1, "EUR")]
    fixed = Promotion("USD5", PromotionKind.FIXED, 500, currency="USD")
    with pytest.raises(DomainError) as excinfo:
        calculate(request(eur_lines, promotion=fixed))
    assert code_of(excinfo) == "PROMOTION_NOT_APPLICABLE"
    # A plain percentage has no amounts, so it works in any currency.
    assert calculate(request(eur_lines, promotion=SUMMER)).promotion_discount == Money(200, "EUR")


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


# ---------------------------------------------------------------- availablePromotions

def test_preview_promotions_reports_amount_or_reason() -> None:
    lines = [PriceLine("a", "s1", 3000, 1), PriceLine("b", "s2", 1000, 1)]
    base = request(lines, promotion=SUMMER)
    previews = preview_promotions(base, [
        SUMMER,
        Promotion("TEN", PromotionKind.FIXED, 1000, seller_id="s2", description="10 off"),
        Promotion("SHIP", PromotionKind.FREE_SHIPPING),
        Promotion("BIG", PromotionKind.FIXED, 100, min_subtotal_minor=10_000),
        Promotion("ONCE", PromotionKind.PERCENT, 50, per_customer_limit=1),
    ], customer_uses={"ONCE": 1})
    summary = [(p.code, p.applicable, p.discount.minor,
                p.reason.code if p.reason else None) for p in previews]
    assert summary == [
        ("SUMMER2024", True, 800, None),
        ("TEN", True, 1000, None),  # capped at the eligible s2 items
        ("SHIP", True, 1198, None),  # no method chosen: STANDARD saving, two sellers
        ("BIG", False, 0, "PROMOTION_NOT_APPLICABLE"),
        ("ONCE", False, 0, "PROMOTION_INVALID"),
    ]
    assert previews[1].description == "10 off"
