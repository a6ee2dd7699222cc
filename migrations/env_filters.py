"""What the models-vs-database comparison leaves out: objects the migrations create by hand
for one dialect only (full-text search), which are not part of the portable models."""
from __future__ import annotations

from typing import Any

HAND_MADE = {"products_fts", "ix_products_search"}


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if name is None:
        return True
    if type_ == "table" and (name in HAND_MADE or name.startswith("products_fts")):
        return False
    return name not in HAND_MADE
