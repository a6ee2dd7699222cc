"""domain.payments.faults.webhook_mismatch: an event's amount and currency against its payment;
domain.fulfilment.shipments.normalise_tracking_number."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from domain.fulfilment.shipments import normalise_tracking_number
from domain.payments.faults import AMOUNT_MISMATCH, CURRENCY_MISMATCH, webhook_mismatch

PAYMENT = SimpleNamespace(amount_minor=1200, currency="USD")


def event(status: str | None = "SUCCEEDED", amount: int | None = 1200,
          currency: str | None = "USD") -> SimpleNamespace:
    return SimpleNamespace(status=status, amount_minor=amount, currency=currency)


@pytest.mark.parametrize("evt, kind", [
    (event(), None),
    (event(currency="usd"), None),
    (event(amount=1199), AMOUNT_MISMATCH),
    (event(amount=0), AMOUNT_MISMATCH),
    (event(currency="EUR"), CURRENCY_MISMATCH),
    (event(currency="EUR", amount=1), CURRENCY_MISMATCH),
    (event(amount=None), AMOUNT_MISMATCH),  # a success must say what was paid
    (event(currency=None), CURRENCY_MISMATCH),
    (event(status="FAILED", amount=None, currency=None), None),  # nothing said, nothing paid
    (event(status="FAILED", amount=5), AMOUNT_MISMATCH),
    (event(status=None, currency="GBP"), CURRENCY_MISMATCH),
])
def test_webhook_mismatch(evt: SimpleNamespace, kind: str | None) -> None:
    found = webhook_mismatch(PAYMENT, evt)
    assert (found.kind if found else None) == kind


@pytest.mark.parametrize("raw, clean", [
    ("1Z999", "1Z999"), (" 1z 999 ", "1Z999"), ("1z\t9-9\n9", "1Z9-99"), ("abc", "ABC")])
def test_tracking_numbers_are_normalised(raw: str, clean: str) -> None:
    assert normalise_tracking_number(raw) == clean
