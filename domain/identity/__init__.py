"""Identity: accounts (buyers, sellers, admins), sessions (access + refresh tokens), a user's
addresses and saved payment methods. Models in `models`, pure rules in `rules`, use cases in
`accounts`, `sessions`, `addresses`, `wallet`, `external`."""
from __future__ import annotations

from domain.identity.models import Address, AuthResult, PaymentMethod, Seller, User

__all__ = ["Address", "AuthResult", "PaymentMethod", "Seller", "User"]
