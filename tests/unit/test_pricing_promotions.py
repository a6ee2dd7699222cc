"""The pricing engine with a promotion code: how each kind applies, to which lines and sellers,
when a code is refused, and the availablePromotions preview."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import DomainError
from domain.loyalty.points import Tier
from domain.money import Money
from domain.pricing import (
    PriceLine,
    calculate,
    preview_promotions,
)
from domain.promotions.codes import Promotion, PromotionKind
from tests.support.pricing import NOW, SUMMER, code_of, request, usd


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
