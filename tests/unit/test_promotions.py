"""Promotion rules: validity (PROMOTION_INVALID), applicability (PROMOTION_NOT_APPLICABLE),
eligible lines and the amount off."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.promotions.codes import (
    Promotion,
    PromotionKind,
    definition_errors,
    evaluate,
    item_discount,
    normalize_code,
    unknown_code_error,
    validity_error,
)

NOW = datetime(2024, 7, 1, 12, tzinfo=UTC)


def promo(**kw: object) -> Promotion:
    kw.setdefault("code", "CODE")
    kw.setdefault("kind", PromotionKind.PERCENT)
    kw.setdefault("value", 10)
    kw.setdefault("description", "Ten percent off")
    return Promotion(**kw)  # type: ignore[arg-type]


def run(p: Promotion, sellers: list[object] | None = None, amounts: list[int] | None = None,
        *, customer_uses: int = 0, currency: str = "USD"):  # type: ignore[no-untyped-def]
    return evaluate(p, now=NOW, customer_uses=customer_uses, currency=currency,
                    seller_ids=sellers or ["s1"], amounts=amounts or [10_000])


def test_normalize_code() -> None:
    assert normalize_code("  summer2024 ") == "SUMMER2024"


def test_unknown_code() -> None:
    error = unknown_code_error("NOPE")
    assert (error.code, error.field, error.data["reason"]) == (
        "PROMOTION_INVALID", ["input", "promotionCodes"], "UNKNOWN")
    assert "NOPE" in error.message and "does not exist" in error.message


def test_a_plain_code_is_valid() -> None:
    assert validity_error(promo(), now=NOW) is None


@pytest.mark.parametrize("fields,reason,words", [
    ({"active": False}, "INACTIVE", "no longer active"),
    ({"starts_at": NOW + timedelta(seconds=1)}, "NOT_STARTED", "not valid until"),
    ({"ends_at": NOW}, "EXPIRED", "expired"),  # the window is [starts_at, ends_at)
    ({"ends_at": NOW - timedelta(days=1)}, "EXPIRED", "expired"),
    ({"usage_limit": 3, "times_used": 3}, "USAGE_LIMIT_REACHED", "usage limit"),
])
def test_validity_reasons(fields: dict[str, object], reason: str, words: str) -> None:
    error = validity_error(promo(**fields), now=NOW)
    assert error is not None
    assert error.code == "PROMOTION_INVALID"
    assert error.data["reason"] == reason
    assert words in error.message


def test_window_edges() -> None:
    assert validity_error(promo(starts_at=NOW, ends_at=NOW + timedelta(seconds=1)),
                          now=NOW) is None
    assert validity_error(promo(usage_limit=3, times_used=2), now=NOW) is None


def test_per_customer_limit() -> None:
    p = promo(per_customer_limit=2)
    assert validity_error(p, now=NOW, customer_uses=1) is None
    error = validity_error(p, now=NOW, customer_uses=2)
    assert error is not None and error.code == "PROMOTION_INVALID"
    assert error.data["reason"] == "CUSTOMER_LIMIT_REACHED"


def test_invalid_beats_not_applicable() -> None:
    result = run(promo(active=False, seller_id="other"))
    assert result.error is not None and result.error.code == "PROMOTION_INVALID"


def test_percent_discount_half_even_on_eligible_amount() -> None:
    result = run(promo(value=20), amounts=[49998])
    assert result.applicable and result.item_discount == 10000  # 9999.6
    assert item_discount(promo(value=10), 25) == 2  # 2.5 -> 2
    assert item_discount(promo(value=10), 35) == 4  # 3.5 -> 4
    assert item_discount(promo(value=100), 1234) == 1234


def test_fixed_discount_capped_at_eligible_items() -> None:
    fixed = promo(kind=PromotionKind.FIXED, value=1500)
    assert run(fixed, amounts=[2000]).item_discount == 1500
    assert run(fixed, amounts=[1000]).item_discount == 1000
    assert item_discount(fixed, 0) == 0


def test_free_shipping_has_no_item_discount_and_names_its_sellers() -> None:
    result = run(promo(kind=PromotionKind.FREE_SHIPPING, value=0), ["s1", "s2"], [100, 200])
    assert result.applicable and result.item_discount == 0
    assert result.free_shipping_sellers == frozenset({"s1", "s2"})
    only = run(promo(kind=PromotionKind.FREE_SHIPPING, seller_id="s2"), ["s1", "s2"], [1, 2])
    assert only.free_shipping_sellers == frozenset({"s2"})


def test_seller_restriction_selects_lines() -> None:
    result = run(promo(value=50, seller_id="s2"), ["s1", "s2", "s2"], [1000, 300, 100])
    assert result.eligible == (False, True, True)
    assert result.eligible_amount == 400
    assert result.item_discount == 200


def test_seller_restriction_without_their_lines_is_not_applicable() -> None:
    result = run(promo(seller_id="s9"), ["s1"], [1000])
    assert result.error is not None
    assert result.error.code == "PROMOTION_NOT_APPLICABLE"
    assert result.error.data["reason"] == "NO_ELIGIBLE_LINES"


def test_min_subtotal_compares_eligible_amount_inclusive() -> None:
    p = promo(min_subtotal_minor=5000, seller_id="s2")
    assert run(p, ["s1", "s2"], [9000, 5000]).applicable
    result = run(p, ["s1", "s2"], [9000, 4999])
    assert result.error is not None
    assert result.error.code == "PROMOTION_NOT_APPLICABLE"
    assert result.error.data["reason"] == "BELOW_MIN_SUBTOTAL"
    assert result.error.data["missing"] == 1
    assert "50.00 USD" in result.error.message and "0.01 USD more" in result.error.message


def test_currency_only_matters_for_amounts() -> None:
    assert run(promo(currency="USD"), currency="EUR").applicable
    result = run(promo(kind=PromotionKind.FIXED, value=100, currency="USD"), currency="EUR")
    assert result.error is not None and result.error.data["reason"] == "CURRENCY"
    result = run(promo(min_subtotal_minor=1, currency="USD"), currency="EUR")
    assert result.error is not None and result.error.code == "PROMOTION_NOT_APPLICABLE"


def test_describe() -> None:
    assert promo(value=20, description="").describe() == "20% off"
    assert promo(kind=PromotionKind.FIXED, value=500, description="").describe() == "5.00 USD off"
    assert promo(kind=PromotionKind.FREE_SHIPPING, description="").describe() == (
        "Free standard shipping")
    assert promo(description="Summer").describe() == "Summer"


def test_definition_errors() -> None:
    assert definition_errors(promo()) == []
    assert [e.field for e in definition_errors(promo(value=0))] == [["input", "value"]]
    assert [e.field for e in definition_errors(promo(value=101))] == [["input", "value"]]
    assert definition_errors(promo(kind=PromotionKind.FIXED, value=0))[0].code == "INVALID_INPUT"
    bad = promo(code=" ", min_subtotal_minor=-1, starts_at=NOW, ends_at=NOW, usage_limit=0,
                per_customer_limit=0)
    assert len(definition_errors(bad)) == 5
    assert [e.field for e in definition_errors(promo(code="a b!"))] == [["input", "code"]]
    assert [e.field for e in definition_errors(promo(description=" "))] == [
        ["input", "description"]]


def test_kind_accepts_the_stored_string() -> None:
    p = Promotion("S", "FIXED", 100)  # type: ignore[arg-type]
    assert p.kind is PromotionKind.FIXED
    assert run(p, amounts=[50]).item_discount == 50
