"""Shipping methods and what they cost for one checkout.

Rules (docs/rules.md "Checkout"):
- STANDARD: 5.99 per seller in the order, 5 days. EXPRESS: 14.99 per seller, 2 days. One
  shipment per seller, so each seller's shipment is charged (and later paid out) separately.
- STANDARD is free for every seller when the items after tier and promotion discounts (before
  loyalty points) come to at least 50.00, or the tier gives free standard shipping (SILVER,
  GOLD). A FREE_SHIPPING code frees STANDARD for the sellers it covers (all, or its seller).
- GOLD also ships EXPRESS free (docs/rules.md: "GOLD free shipping"; read as both methods).
- Prices and the threshold are written for two-decimal currencies and scaled by the currency's
  exponent (half-even), e.g. KWD 5.990, JPY 6.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from domain.loyalty.points import Tier, benefits
from domain.money import Money, exponent
from domain.pricing.rounding import div_half_even

STANDARD = "STANDARD"
EXPRESS = "EXPRESS"
FREE_STANDARD_THRESHOLD = 5000  # 50.00


@dataclass(frozen=True)
class ShippingMethod:
    code: str
    name: str
    price_per_seller: int  # minor units of a two-decimal currency
    estimated_days: int


METHODS: dict[str, ShippingMethod] = {
    STANDARD: ShippingMethod(STANDARD, "Standard shipping", 599, 5),
    EXPRESS: ShippingMethod(EXPRESS, "Express shipping", 1499, 2),
}


@dataclass(frozen=True)
class ShippingOption:
    """A method as offered to this checkout: the price covers all of its shipments."""

    code: str
    name: str
    price: Money
    estimated_days: int


def scaled(amount_two_decimals: int, currency: str) -> int:
    """An amount written in hundredths of a unit, in the currency's own minor units."""
    return div_half_even(amount_two_decimals * 10 ** exponent(currency), 100)


def method(code: str) -> ShippingMethod | None:
    return METHODS.get(code.strip().upper())


def standard_free_for_all(items_after_discounts: int, currency: str, tier: Tier) -> bool:
    return (items_after_discounts >= scaled(FREE_STANDARD_THRESHOLD, currency)
            or benefits(tier).free_standard_shipping)


def seller_charges(code: str, *, sellers: Sequence[Hashable], currency: str,
                   items_after_discounts: int, tier: Tier,
                   promotion_free_sellers: frozenset[Hashable] = frozenset()) -> list[int]:
    """What each seller's shipment costs with this method, aligned with `sellers`."""
    chosen = method(code)
    if chosen is None:
        raise ValueError(f"unknown shipping method {code!r}")
    price = scaled(chosen.price_per_seller, currency)
    if chosen.code == EXPRESS:
        free_all = benefits(tier).free_express_shipping
        return [0 if free_all else price for _ in sellers]
    free_all = standard_free_for_all(items_after_discounts, currency, tier)
    return [0 if free_all or seller in promotion_free_sellers else price for seller in sellers]


def quote_methods(*, sellers: Sequence[Hashable], currency: str, items_after_discounts: int,
                  tier: Tier, promotion_free_sellers: frozenset[Hashable] = frozenset()
                  ) -> list[ShippingOption]:
    """Every method with its price for the whole checkout (STANDARD first)."""
    options = []
    for shipping_method in METHODS.values():
        charges = seller_charges(shipping_method.code, sellers=sellers, currency=currency,
                                 items_after_discounts=items_after_discounts, tier=tier,
                                 promotion_free_sellers=promotion_free_sellers)
        options.append(ShippingOption(shipping_method.code, shipping_method.name,
                                      Money(sum(charges), currency),
                                      shipping_method.estimated_days))
    return options
