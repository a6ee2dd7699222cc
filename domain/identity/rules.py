"""Pure identity rules: normalising and validating what clients send. No I/O.

- Email: trimmed and lower-cased (the whole address, local part included, as marketplaces do:
  `Ann@Example.com` and `ann@example.com` are one account), at most 320 characters, shaped
  `local@domain.tld`.
- Password (NIST SP 800-63B style): 8 to 256 characters, no composition rules. The upper bound
  keeps hashing cost bounded.
- Names (user name, seller display name): trimmed, non-blank, at most 200 characters.
- Account type at registration: BUYER or SELLER. ADMIN accounts are made by the
  `create-admin` command only. A seller must give a display name; a buyer's is ignored.
- Address: full name, line 1, city, region, postal code and country are required (non-blank
  after trimming); country is ISO 3166-1 alpha-2 (two letters, upper-cased); region is a code
  (upper-cased, e.g. "CA"); line 2 and phone are optional (blank means absent); a phone has
  only digits, spaces and + ( ) . - with at least 5 digits.
Every invalid field is reported at once (ErrorList) with its GraphQL path, e.g.
["input", "password"].
"""
from __future__ import annotations

import re

from domain.errors import DomainError, ErrorList, invalid
from domain.identity.models import ADMIN, BUYER, SELLER, AddressFields, Registration
from domain.ids import encode_id

EMAIL_MAX = 320
PASSWORD_MIN = 8
PASSWORD_MAX = 256
NAME_MAX = 200

_EMAIL = re.compile(r"^[^@\s]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{5,40}$")

# GraphQL field name -> (label, max length) of each address part.
_ADDRESS_REQUIRED = {"fullName": ("Full name", 200), "line1": ("Address line 1", 300),
                     "city": ("City", 120), "region": ("Region", 60),
                     "postalCode": ("Postal code", 30), "country": ("Country", 2)}
_ADDRESS_OPTIONAL = {"line2": ("Address line 2", 300), "phone": ("Phone", 40)}


def normalise_email(value: str) -> str:
    return value.strip().lower()


def email_error(email: str, *path: str) -> DomainError | None:
    """The problem with an already-normalised email, if any."""
    if not email:
        return invalid("Email is required.", *path)
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        return invalid("Enter a valid email address.", *path)
    return None


def password_error(password: str, *path: str) -> DomainError | None:
    if len(password) < PASSWORD_MIN:
        return invalid(f"Password must be at least {PASSWORD_MIN} characters.", *path)
    if len(password) > PASSWORD_MAX:
        return invalid(f"Password must be at most {PASSWORD_MAX} characters.", *path)
    return None


def name_error(name: str, label: str, *path: str) -> DomainError | None:
    """For an already-trimmed name."""
    if not name:
        return invalid(f"{label} is required.", *path)
    if len(name) > NAME_MAX:
        return invalid(f"{label} must be at most {NAME_MAX} characters.", *path)
    return None


def _raise_if(errors: list[DomainError | None]) -> None:
    found = [e for e in errors if e is not None]
    if found:
        raise ErrorList(found)


def validate_registration(*, email: str, password: str, name: str, account_type: str,
                          seller_display_name: str | None) -> Registration:
    email = normalise_email(email)
    name = name.strip()
    display = (seller_display_name or "").strip()
    errors = [
        email_error(email, "input", "email"),
        password_error(password, "input", "password"),
        name_error(name, "Name", "input", "name"),
    ]
    if account_type == ADMIN:
        errors.append(invalid("Admin accounts cannot be registered.", "input", "accountType"))
    elif account_type not in (BUYER, SELLER):
        errors.append(invalid("Account type must be BUYER or SELLER.", "input", "accountType"))
    elif account_type == SELLER:
        errors.append(name_error(display, "Seller display name", "input",
                                 "sellerDisplayName"))
    _raise_if(errors)
    return Registration(email=email, password=password, name=name, account_type=account_type,
                        seller_display_name=display if account_type == SELLER else None)


def validate_admin(*, email: str, password: str, name: str) -> Registration:
    """Same email, password and name rules for an admin made by the command line."""
    email = normalise_email(email)
    name = name.strip()
    _raise_if([email_error(email, "email"), password_error(password, "password"),
               name_error(name, "Name", "name")])
    return Registration(email=email, password=password, name=name, account_type=ADMIN,
                        seller_display_name=None)


def validate_address(*, full_name: str, line1: str, line2: str | None, city: str, region: str,
                     postal_code: str, country: str, phone: str | None) -> AddressFields:
    given = {"fullName": full_name, "line1": line1, "city": city, "region": region,
             "postalCode": postal_code, "country": country}
    clean = {key: value.strip() for key, value in given.items()}
    clean["country"] = clean["country"].upper()
    clean["region"] = clean["region"].upper()
    optional = {key: (value or "").strip() or None
                for key, value in {"line2": line2, "phone": phone}.items()}
    errors: list[DomainError | None] = []
    for key, (label, limit) in _ADDRESS_REQUIRED.items():
        if not clean[key]:
            errors.append(invalid(f"{label} is required.", "input", key))
        elif key == "country":
            if not _COUNTRY.match(clean[key]):
                errors.append(invalid(
                    'Country must be an ISO 3166-1 alpha-2 code, e.g. "US".', "input", key))
        elif len(clean[key]) > limit:
            errors.append(invalid(f"{label} must be at most {limit} characters.", "input", key))
    for key, (label, limit) in _ADDRESS_OPTIONAL.items():
        value = optional[key]
        if value is not None and len(value) > limit:
            errors.append(invalid(f"{label} must be at most {limit} characters.", "input", key))
    phone_value = optional["phone"]
    if (phone_value is not None and len(phone_value) <= _ADDRESS_OPTIONAL["phone"][1]
            and (not _PHONE.match(phone_value) or sum(c.isdigit() for c in phone_value) < 5)):
        errors.append(invalid("Enter a valid phone number.", "input", "phone"))
    _raise_if(errors)
    return AddressFields(full_name=clean["fullName"], line1=clean["line1"],
                         line2=optional["line2"], city=clean["city"], region=clean["region"],
                         postal_code=clean["postalCode"], country=clean["country"],
                         phone=phone_value)


def seller_payable_account(seller_id: int) -> str:
    """The ledger account holding what the platform owes a seller (opened at registration)."""
    return f"SELLER_PAYABLE:{encode_id('Seller', seller_id)}"
