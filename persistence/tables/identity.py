"""Users, sellers, their addresses, saved payment methods, refresh tokens, ledger accounts."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from persistence.tables.base import metadata
from persistence.types import UTCDateTime

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("account_type", String(10), nullable=False),
    Column("external_subject", String(300), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    # Sessions and secrets (docs/rules.md): access tokens carry the version they were issued
    # under; disabling an account bumps it, ending every session issued before.
    Column("token_version", Integer, nullable=False, server_default=text("0")),
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("disabled_reason", String(500), nullable=True),
    CheckConstraint("account_type IN ('BUYER','SELLER','ADMIN')", name="account_type"),
)

sellers = Table(
    "sellers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("family", String(64), nullable=False, index=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
)

addresses = Table(
    "addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("full_name", String(200), nullable=False),
    Column("line1", String(300), nullable=False),
    Column("line2", String(300), nullable=True),
    Column("city", String(120), nullable=False),
    Column("region", String(60), nullable=False),
    Column("postal_code", String(30), nullable=False),
    Column("country", String(2), nullable=False),
    Column("phone", String(40), nullable=True),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UTCDateTime, nullable=False),
)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("provider_token", String(200), nullable=False),
    Column("brand", String(40), nullable=False),
    Column("last4", String(4), nullable=False),
    Column("is_default", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", UTCDateTime, nullable=False),
)

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    # 64-bit: a balance sums many orders (docs/rules.md, "Amount ceiling")
    Column("balance_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("created_at", UTCDateTime, nullable=False),
)

Index("ix_payment_methods_user_token", payment_methods.c.user_id, payment_methods.c.provider_token,
      unique=True)
