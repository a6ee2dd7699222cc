"""The values resolvers hand the loaders and get back, over persistence/reads/: list queries
(`ProductQuery`, `OrderQuery`, `ShipmentQuery`), a keyset `Page`, and the two pagination errors
(`InvalidPageSize`, `InvalidCursor`) that schema turns into top-level errors. Named here so
resolvers/ never imports persistence/ (docs/architecture.md)."""
from __future__ import annotations

from persistence.reads.catalog_listing import ProductQuery
from persistence.reads.orders import OrderQuery, ShipmentQuery
from persistence.reads.pagination import InvalidCursor, InvalidPageSize, Page, check_first

__all__ = ["InvalidCursor", "InvalidPageSize", "OrderQuery", "Page", "ProductQuery",
           "ShipmentQuery", "check_first"]
