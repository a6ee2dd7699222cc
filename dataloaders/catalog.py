"""Loaders of the catalog feature: name -> batched read query in persistence/reads/catalog.py.

    product_by_id, product_by_slug       -> domain.catalog.Product | None
    variant_by_id, variant_by_sku        -> domain.catalog.Variant | None (with currency, stock)
    variants_by_product_id               -> list[Variant] (position order, with stock)
    images_by_product_id                 -> list[ProductImage] (position order)
    category_by_id                       -> domain.catalog.Category | None
    stock_by_variant_id                  -> domain.catalog.inventory.StockLevel | None
    seller_first_page ((seller, size))   -> Page[Product]: ACTIVE, newest first (Seller.products)
    active_product_count_by_seller       -> int

Visibility (DRAFT / ARCHIVED) is not applied here: callers decide (resolvers/catalog.py).
"""
from __future__ import annotations

from typing import Any

from persistence.reads import catalog as reads
from persistence.reads import catalog_by_seller as by_seller

LOADERS: dict[str, Any] = {
    "product_by_id": reads.products_by_id,
    "product_by_slug": reads.products_by_slug,
    "variant_by_id": reads.variants_by_id,
    "variant_by_sku": reads.variants_by_sku,
    "variants_by_product_id": reads.variants_by_product_id,
    "images_by_product_id": reads.images_by_product_id,
    "category_by_id": reads.categories_by_id,
    "stock_by_variant_id": reads.stock_by_variant_id,
    "seller_first_page": by_seller.first_pages_by_seller,
    "active_product_count_by_seller": by_seller.active_counts_by_seller,
}
