"""Types the schema must know even when only reachable through the Node interface."""
from __future__ import annotations

import importlib

MODULES = ("schema.identity", "schema.catalog", "schema.cart",
           "schema.checkout", "schema.promotions", "schema.loyalty",
           "schema.types.orders", "schema.types.shipments")


def all_types() -> list[type]:
    types: list[type] = []
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        types.extend(getattr(module, "NODE_TYPES", ()))
        types.extend(getattr(module, "EXTRA_TYPES", ()))
    return types
