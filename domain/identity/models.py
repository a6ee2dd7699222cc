"""What identity is made of: plain, immutable values read from and written to the database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

BUYER = "BUYER"
SELLER = "SELLER"
ADMIN = "ADMIN"
ACCOUNT_TYPES = (BUYER, SELLER, ADMIN)


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    account_type: str  # BUYER, SELLER or ADMIN
    seller_id: int | None = None  # set for sellers: their `sellers` row
    external_subject: str | None = None  # `sub` of the trusted OpenID Connect issuer, if linked
    token_version: int = 0  # access tokens of another version are refused (domain/identity/access)
    disabled_at: datetime | None = None  # set while an admin has disabled the account


@dataclass(frozen=True)
class Seller:
    id: int
    user_id: int
    display_name: str


@dataclass(frozen=True)
class AddressFields:
    """A validated, normalised address (see rules.validate_address)."""

    full_name: str
    line1: str
    line2: str | None
    city: str
    region: str
    postal_code: str
    country: str
    phone: str | None


@dataclass(frozen=True)
class Address:
    id: int
    user_id: int
    fields: AddressFields
    is_default: bool


@dataclass(frozen=True)
class PaymentMethod:
    id: int
    user_id: int
    provider_token: str
    brand: str
    last4: str
    is_default: bool


@dataclass(frozen=True)
class Registration:
    """A validated, normalised `register` input (see rules.validate_registration)."""

    email: str
    password: str
    name: str
    account_type: str
    seller_display_name: str | None


@dataclass(frozen=True)
class AuthResult:
    """What a successful register / login / tokenRefresh hands back to the client."""

    user: User
    access_token: str
    expires_at: datetime
    refresh_token: str


@dataclass(frozen=True)
class AccountState:
    """What each request checks its access token against (domain/identity/access.py): the
    account's current role, seller row, token version, whether it is disabled, and the refresh
    families revoked recently enough for their access tokens to be still unexpired."""

    account_type: str
    seller_id: int | None
    token_version: int
    disabled: bool
    revoked_families: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AuditEntry:
    """One admin action on an account (domain/identity/admin.py)."""

    id: int
    actor_user_id: int
    action: str  # SET_ROLE, DISABLE_USER or ENABLE_USER
    target_user_id: int | None
    details: dict[str, str]
    created_at: datetime
