"""Who is asking: the signed-in user and the role they act with (built per request from the
bearer token by adapters/security/identity.py; carried by schema/context.py's Context)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    user_id: int
    account_type: str  # BUYER, SELLER or ADMIN
    seller_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.account_type == "ADMIN"

    @property
    def is_seller(self) -> bool:
        return self.account_type == "SELLER"
