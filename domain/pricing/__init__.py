"""Pricing: integer rounding, shipping, tax and the engine that puts them in order;
the values it takes and gives in `values`."""
from __future__ import annotations

from domain.pricing.engine import available_shipping_methods, calculate, preview_promotions
from domain.pricing.values import (
    Discount,
    LinePrice,
    PriceBreakdown,
    PriceLine,
    PricingRequest,
    PromotionPreview,
    SellerPrice,
)
from domain.pricing.rounding import allocate, div_half_even
from domain.pricing.shipping import EXPRESS, STANDARD, ShippingOption
from domain.pricing.tax import DEMO_TAX_RATES, Destination

__all__ = [
    "DEMO_TAX_RATES",
    "EXPRESS",
    "STANDARD",
    "Destination",
    "Discount",
    "LinePrice",
    "PriceBreakdown",
    "PriceLine",
    "PricingRequest",
    "PromotionPreview",
    "SellerPrice",
    "ShippingOption",
    "allocate",
    "available_shipping_methods",
    "calculate",
    "div_half_even",
    "preview_promotions",
]
