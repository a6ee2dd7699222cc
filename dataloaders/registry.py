"""Name -> batched read query, merged from the per-feature modules of this package.

Each query takes (connection, keys) and returns one value per key, aligned with the keys
(None, or [] for to-many relations, where nothing matches)."""
from __future__ import annotations

from typing import Any

from dataloaders import cart, catalog, checkout, identity, orders

QUERIES: dict[str, Any] = {
    **identity.LOADERS,
    **catalog.LOADERS,
    **cart.LOADERS,
    **checkout.LOADERS,
    **orders.LOADERS,
}
