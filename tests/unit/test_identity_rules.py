"""Identity rules without a database: registration, addresses, payment method tokens,
refresh-token hashing and the names derived from ids."""
from __future__ import annotations

import hashlib

import pytest

from domain.errors import DomainError, ErrorList
from domain.identity import rules
from domain.identity.external import placeholder_email
from domain.identity.sessions import hash_refresh_token, new_family, new_refresh_token
from domain.ids import encode_id
from domain.payments.methods import CardDetails, describe_card, validate_provider_token


def fields_of(exc: ErrorList) -> list[list[str] | None]:
    return [list(e.field) if e.field else None for e in exc.errors]


def register(**overrides: object) -> rules.Registration:
    values: dict[str, object] = {"email": "ann@example.com", "password": "correct horse",
                                 "name": "Ann", "account_type": "BUYER",
                                 "seller_display_name": None}
    values.update(overrides)
    return rules.validate_registration(**values)  # type: ignore[arg-type]


def address(**overrides: object) -> rules.AddressFields:
    values: dict[str, object] = {"full_name": "Ann Lee", "line1": "1 Main St", "line2": None,
                                 "city": "Springfield", "region": "CA", "postal_code": "90001",
                                 "country": "US", "phone": None}
    values.update(overrides)
    return rules.validate_address(**values)  # type: ignore[arg-type]


# --- registration
def test_email_is_trimmed_and_lower_cased() -> None:
    assert register(email="  Ann.Lee+shop@Example.COM ").email == "ann.lee+shop@example.com"


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.com", "ann@example",
                                   "ann lee@example.com", "ann@exa mple.com",
                                   "a" * 65 + "@example.com", "ann@@example.com"])
def test_invalid_emails_are_refused(email: str) -> None:
    with pytest.raises(ErrorList) as exc:
        register(email=email)
    assert fields_of(exc.value) == [["input", "email"]]


def test_password_length_bounds() -> None:
    assert register(password="x" * 8).password == "x" * 8
    assert register(password="x" * 256).password == "x" * 256
    for bad in ("x" * 7, "x" * 257, ""):
        with pytest.raises(ErrorList) as exc:
            register(password=bad)
        assert fields_of(exc.value) == [["input", "password"]]


def test_name_must_not_be_blank_and_is_trimmed() -> None:
    assert register(name="  Ann  ").name == "Ann"
    with pytest.raises(ErrorList) as exc:
        register(name="   ")
    assert fields_of(exc.value) == [["input", "name"]]


def test_admin_cannot_register() -> None:
    with pytest.raises(ErrorList) as exc:
        register(account_type="ADMIN")
    assert fields_of(exc.value) == [["input", "accountType"]]
    assert exc.value.errors[0].code == "INVALID_INPUT"


def test_seller_needs_a_display_name_and_a_buyer_s_is_ignored() -> None:
    with pytest.raises(ErrorList) as exc:
        register(account_type="SELLER", seller_display_name="  ")
    assert fields_of(exc.value) == [["input", "sellerDisplayName"]]
    seller = register(account_type="SELLER", seller_display_name=" Ann's Shop ")
    assert seller.seller_display_name == "Ann's Shop"
    assert register(seller_display_name="Shop").seller_display_name is None


def test_every_invalid_field_is_reported_at_once() -> None:
    with pytest.raises(ErrorList) as exc:
        register(email="nope", password="short", name="", account_type="ADMIN")
    assert fields_of(exc.value) == [["input", "email"], ["input", "password"],
                                    ["input", "name"], ["input", "accountType"]]
    assert {e.code for e in exc.value.errors} == {"INVALID_INPUT"}


def test_admin_rules_use_the_same_policy() -> None:
    admin = rules.validate_admin(email=" Root@Example.com", password="long enough",
                                 name="Root")
    assert (admin.email, admin.account_type) == ("root@example.com", "ADMIN")
    with pytest.raises(ErrorList):
        rules.validate_admin(email="root@example.com", password="short", name="Root")


# --- addresses
def test_address_is_normalised() -> None:
    fields = address(full_name=" Ann Lee ", country=" us ", region="ca", line2="  ",
                     phone=" +1 (555) 010-0000 ")
    assert (fields.full_name, fields.country, fields.region) == ("Ann Lee", "US", "CA")
    assert fields.line2 is None
    assert fields.phone == "+1 (555) 010-0000"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"country": "USA"}, "country"),
    ({"country": "U1"}, "country"),
    ({"country": ""}, "country"),
    ({"region": "  "}, "region"),
    ({"full_name": ""}, "fullName"),
    ({"line1": " "}, "line1"),
    ({"city": ""}, "city"),
    ({"postal_code": ""}, "postalCode"),
    ({"phone": "call me"}, "phone"),
    ({"phone": "12"}, "phone"),
    ({"line2": "x" * 301}, "line2"),
    ({"city": "x" * 121}, "city"),
])
def test_invalid_address_fields(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(ErrorList) as exc:
        address(**overrides)
    assert fields_of(exc.value) == [["input", field]]


# --- payment method tokens
@pytest.mark.parametrize(("token", "brand", "last4"), [
    ("pm_card_visa", "visa", "4242"),
    ("pm_card_visa_debit", "visa", "5556"),
    ("pm_card_mastercard", "mastercard", "4444"),
    ("pm_card_amex", "amex", "8431"),
    ("pm_card_chargeDeclined", "visa", "0002"),
    ("pm_card_threeDSecure2Required", "visa", "3155"),
    ("pm_1PqXyZ1234", "card", "1234"),
    ("pm_1PqXyZabcd", "card", "0000"),
])
def test_describe_card(token: str, brand: str, last4: str) -> None:
    assert describe_card(token) == CardDetails(brand, last4)


@pytest.mark.parametrize("token", ["", "tok_visa", "pm_", "card_visa", "pm_card visa",
                                   "pm_" + "x" * 198, "pm_card_visa;drop"])
def test_only_payment_method_ids_are_accepted(token: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_provider_token(token, "providerToken")
    assert (exc.value.code, exc.value.field) == ("INVALID_INPUT", ["providerToken"])


def test_provider_token_is_trimmed() -> None:
    assert validate_provider_token("  pm_card_visa ") == "pm_card_visa"


# --- tokens and names
def test_refresh_tokens_are_random_and_stored_as_sha256() -> None:
    first, second = new_refresh_token(), new_refresh_token()
    assert first != second and len(first) >= 43
    assert hash_refresh_token(first) == hashlib.sha256(first.encode()).hexdigest()
    assert len(new_family()) == 32


def test_seller_payable_account_name() -> None:
    assert rules.seller_payable_account(7) == f"SELLER_PAYABLE:{encode_id('Seller', 7)}"


def test_placeholder_email_is_stable_and_undeliverable() -> None:
    assert placeholder_email("abc") == placeholder_email("abc")
    assert placeholder_email("abc") != placeholder_email("abd")
    assert placeholder_email("abc").endswith("@users.invalid")
    assert rules.email_error(placeholder_email("abc")) is None
