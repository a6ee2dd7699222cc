"""A Stripe PaymentIntent status -> our PaymentStatus (domain/payments/provider.py docstring
table)."""
from __future__ import annotations

import pytest

from domain.payments.provider import PaymentIntentStatus, PaymentStatus, to_payment_status


@pytest.mark.parametrize("intent_status,expected", [
    ("requires_payment_method", PaymentStatus.INITIATED),
    ("requires_confirmation", PaymentStatus.INITIATED),
    ("requires_action", PaymentStatus.REQUIRES_ACTION),
    ("processing", PaymentStatus.PROCESSING),
    ("requires_capture", PaymentStatus.PROCESSING),
    ("succeeded", PaymentStatus.SUCCEEDED),
    ("canceled", PaymentStatus.CANCELED),
])
def test_each_intent_status(intent_status: str, expected: PaymentStatus) -> None:
    assert to_payment_status(intent_status) is expected


def test_a_decline_leaves_the_intent_waiting_for_a_method_with_an_error_failed() -> None:
    assert to_payment_status("requires_payment_method",
                             has_payment_error=True) is PaymentStatus.FAILED


def test_a_payment_error_does_not_change_other_statuses() -> None:
    # Stripe keeps last_payment_error after a retry succeeds: the status decides.
    assert to_payment_status("succeeded", has_payment_error=True) is PaymentStatus.SUCCEEDED
    assert to_payment_status("requires_action",
                             has_payment_error=True) is PaymentStatus.REQUIRES_ACTION


@pytest.mark.parametrize("refunded,expected", [
    (0, PaymentStatus.SUCCEEDED),
    (1, PaymentStatus.PARTIALLY_REFUNDED),
    (4999, PaymentStatus.PARTIALLY_REFUNDED),
    (5000, PaymentStatus.REFUNDED),
])
def test_refunds_of_a_succeeded_intent(refunded: int, expected: PaymentStatus) -> None:
    assert to_payment_status("succeeded", amount_minor=5000,
                             refunded_minor=refunded) is expected


def test_every_stripe_status_maps_and_unknown_ones_are_refused() -> None:
    assert {to_payment_status(s) for s in PaymentIntentStatus} <= set(PaymentStatus)
    with pytest.raises(ValueError):
        to_payment_status("requires_source")  # pre-2019 name, not a PaymentIntent status


def test_values_are_the_strings_stored_and_sent() -> None:
    assert PaymentStatus.PARTIALLY_REFUNDED == "PARTIALLY_REFUNDED"
    assert [s.value for s in PaymentStatus] == [
        "INITIATED", "REQUIRES_ACTION", "PROCESSING", "SUCCEEDED", "FAILED", "CANCELED",
        "REFUNDED", "PARTIALLY_REFUNDED"]
