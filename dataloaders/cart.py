"""Loaders of the cart feature."""
from __future__ import annotations

from typing import Any

from persistence.reads.cart import lines_by_cart

LOADERS: dict[str, Any] = {
    "cart_lines_by_cart": lines_by_cart,
}
