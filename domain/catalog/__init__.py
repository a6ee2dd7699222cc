"""Catalogue: categories, products (one seller, one category, images, >= 1 variant) and the
seller's stock of each variant. Models in `models`, pure rules in `rules`, use cases in
`products` (create / update / delete / variantUpdate) and `stock` (inventorySet / Adjust)."""
from __future__ import annotations

from domain.catalog.models import (
    Actor,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    RemovedProduct,
    Variant,
    can_see,
)

__all__ = ["Actor", "Category", "Product", "ProductImage", "ProductStatus", "RemovedProduct",
           "Variant", "can_see"]
