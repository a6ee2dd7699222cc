"""Loaders of the identity feature: name -> batched read query in persistence/reads/.

- `user_by_id` -> domain.identity.User | None (with `seller_id` for sellers)
- `seller_by_id` -> domain.identity.Seller | None (`.id`, `.user_id`, `.display_name`)
- `addresses_by_user`, `payment_methods_by_user` -> lists, oldest first
- `address_by_id`, `payment_method_by_id` -> one row or None (owner checks are the caller's)
"""
from __future__ import annotations

from typing import Any

from persistence.reads import identity as reads

LOADERS: dict[str, Any] = {
    "user_by_id": reads.users_by_id,
    "seller_by_id": reads.sellers_by_id,
    "addresses_by_user": reads.addresses_by_user,
    "payment_methods_by_user": reads.payment_methods_by_user,
    "address_by_id": reads.addresses_by_id,
    "payment_method_by_id": reads.payment_methods_by_id,
}
