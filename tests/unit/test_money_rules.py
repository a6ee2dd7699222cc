"""Domain rules of docs/rules.md "Money rules" that need no database."""
from __future__ import annotations

from domain.ledger.postings import capture_posting
from domain.loyalty.points import LoyaltyAccount, points_error
from domain.promotions.codes import no_use_left


def test_a_negative_balance_spends_nothing_and_is_worth_nothing() -> None:
    assert points_error(0, balance=-60, cap=100, currency="USD") is None
    error = points_error(1, balance=-60, cap=100, currency="USD")
    assert error is not None and error.code == "INSUFFICIENT_POINTS"
    owed = LoyaltyAccount(points=-60)
    assert owed.points_value("USD").minor == 0
    assert owed.spend(0) == owed
    assert owed.earn(100).points == 40  # later earnings repay the debt first


def test_no_use_left_is_not_applicable_with_the_reason() -> None:
    error = no_use_left("ONCE", "CUSTOMER_LIMIT_REACHED")
    assert error.code == "PROMOTION_NOT_APPLICABLE"
    assert error.field == ["input", "promotionCodes"]
    assert error.data == {"code": "ONCE", "reason": "CUSTOMER_LIMIT_REACHED"}


def test_a_zero_total_capture_has_no_entries() -> None:
    posting = capture_posting(total=0, currency="USD", sellers=[], tax=0, points_minor=0)
    assert posting.entries == () and posting.debit_total == posting.credit_total == 0
