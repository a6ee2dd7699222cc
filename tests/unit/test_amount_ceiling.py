"""The amount ceiling rule (docs/rules.md "Amount ceiling"), stated once in domain.money."""
from __future__ import annotations

import pytest

from domain.catalog.rules import MAX_PRICE_MINOR
from domain.checkout.services import check_priced
from domain.errors import DomainError
from domain.money import MAX_AMOUNT, MIN_AMOUNT, check_ceiling, within_ceiling
from domain.pricing import PriceLine, calculate
from tests.support.pricing import CA, request


def test_the_ceiling_is_graphql_int() -> None:
    assert MAX_AMOUNT == 2**31 - 1 and MIN_AMOUNT == -(2**31)
    assert within_ceiling(MAX_AMOUNT) and not within_ceiling(MAX_AMOUNT + 1)
    assert within_ceiling(MIN_AMOUNT) and not within_ceiling(MIN_AMOUNT - 1)
    assert MAX_PRICE_MINOR * 100 <= MAX_AMOUNT  # one full cart line always fits


def test_check_ceiling_is_a_typed_error_with_the_field() -> None:
    check_ceiling(MAX_AMOUNT, "This cart")
    with pytest.raises(DomainError) as excinfo:
        check_ceiling(MAX_AMOUNT + 1, "This cart", "input", "quantity")
    assert excinfo.value.code == "LIMIT_EXCEEDED"
    assert excinfo.value.field == ["input", "quantity"]


def test_a_checkout_is_checked_on_its_gross_tax_and_shipping_included() -> None:
    full = [PriceLine("a", "s1", MAX_PRICE_MINOR, 100)]
    untaxed = calculate(request(full, shipping_method="STANDARD"))
    assert untaxed.gross.minor == MAX_PRICE_MINOR * 100
    check_priced(untaxed)
    taxed = calculate(request(full, shipping_method="STANDARD", destination=CA))
    assert taxed.total.minor <= taxed.gross.minor
    with pytest.raises(DomainError) as excinfo:
        check_priced(taxed)
    assert excinfo.value.code == "LIMIT_EXCEEDED"
    express = calculate(request(full, shipping_method="EXPRESS"))
    with pytest.raises(DomainError):
        check_priced(express)
