"""Types the schema must know even when only reachable through the Node interface."""
from __future__ import annotations

import importlib

MODULES = ("identity", "catalog", "cart", "checkout", "promotions", "loyalty", "orders",
           "shipments")


def all_types() -> list[type]:
    types: list[type] = []
    for name in MODULES:
        try:
            module = importlib.import_module(f"schema.types.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"schema.types.{name}":
                raise
            continue
        types.extend(getattr(module, "NODE_TYPES", ()))
        types.extend(getattr(module, "EXTRA_TYPES", ()))
    return types
