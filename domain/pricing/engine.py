"""The price of a checkout: one deterministic function from lines and choices to a breakdown.

Order (docs/rules.md "Checkout"): items subtotal -> tier discount -> promotion (at most one code)
-> loyalty points -> shipping -> tax. All arithmetic is on integer minor units.

- Tier discount: the tier's percent (GOLD 5 %) of the items subtotal, half-even.
- Promotion: see domain.promotions.codes; works on the eligible lines after the tier discount.
- Points: at most 50 % of the items after tier and promotion discounts; see domain.loyalty.points.
- Shipping: see shipping.py; the free-STANDARD threshold uses the items after tier and
  promotion discounts, before points. No method chosen yet -> shipping 0.
- Tax: see tax.py; on (items after every discount + shipping), half-even, once per order.
- Allocation: every order-level amount is split by largest remainder (rounding.allocate) so the
  line amounts add up exactly: the tier discount over line subtotals, the promotion over the
  eligible lines' amounts after the tier discount, points over the amounts after the
  promotion, tax over the lines' net amounts and the sellers' shipping charges. Shipping is
  charged per seller, so it needs no split.
- Per seller (for the ledger): item revenue R_s = their lines after tier and promotion
  discounts (sellers fund those), the points on their lines (the platform funds those),
  shipping S_s, and the tax on their lines and shipment.
- total = subtotal - discount_total + shipping + tax, and no amount is ever negative.
- Discounts listed: TIER and LOYALTY_POINTS when non-zero; PROMOTION whenever a code applies,
  even a FREE_SHIPPING code, whose item amount is 0 (what it saves shows as lower shipping,
  and in `promotion_shipping_saving`).
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.errors import DomainError
from domain.loyalty.points import (
    Tier,
    benefits,
    max_points,
    points_error,
    points_to_minor,
)
from domain.money import Money
from domain.pricing import shipping as ship
from domain.pricing.rounding import allocate, percent_of
from domain.pricing.shipping import ShippingOption
from domain.pricing.tax import rate_for, tax_on
from domain.pricing.values import (
    Discount,
    LinePrice,
    PriceBreakdown,
    PriceLine,
    PricingRequest,
    PromotionPreview,
    SellerPrice,
)
from domain.promotions.codes import Promotion, PromotionKind, PromotionResult, evaluate

SHIPPING_FIELD = ("input", "shippingMethodCode")


# ---------------------------------------------------------------- stages

@dataclass(frozen=True)
class _Items:
    """Lines through the tier discount and the promotion."""

    currency: str
    tier: Tier
    lines: tuple[PriceLine, ...]
    sellers: tuple[Hashable, ...]  # in order of first appearance
    subtotals: tuple[int, ...]
    tier_shares: tuple[int, ...]
    promotion: PromotionResult | None  # None: no code given
    promotion_shares: tuple[int, ...]

    @property
    def after_promotion(self) -> list[int]:
        return [s - t - p for s, t, p in
                zip(self.subtotals, self.tier_shares, self.promotion_shares, strict=True)]

    @property
    def applied(self) -> PromotionResult | None:
        return self.promotion if self.promotion and self.promotion.applicable else None

    @property
    def free_shipping_sellers(self) -> frozenset[Hashable]:
        applied = self.applied
        return applied.free_shipping_sellers if applied else frozenset()


def _currency(request: PricingRequest) -> str:
    currencies = {line.currency for line in request.lines}
    if request.currency is not None:
        currencies.add(request.currency)
    if not currencies:
        raise ValueError("a pricing request without lines needs a currency")
    if len(currencies) > 1:
        raise DomainError("INVALID_INPUT", "All lines of a checkout must be in one currency; "
                          f"found {', '.join(sorted(currencies))}", None)
    return currencies.pop()


def _check_lines(lines: Sequence[PriceLine]) -> None:
    keys = set()
    for line in lines:
        if line.quantity < 1 or line.unit_price < 0:
            raise ValueError(f"line {line.key!r}: quantity must be >= 1 and price >= 0")
        if line.key in keys:
            raise ValueError(f"duplicate line key {line.key!r}")
        keys.add(line.key)


def _items(request: PricingRequest, promotion: Promotion | None,
           customer_uses: int) -> _Items:
    currency = _currency(request)
    lines = tuple(request.lines)
    _check_lines(lines)
    sellers = tuple(dict.fromkeys(line.seller_id for line in lines))
    subtotals = tuple(line.subtotal for line in lines)

    tier_total = percent_of(sum(subtotals), benefits(request.tier).discount_percent)
    tier_shares = tuple(allocate(tier_total, subtotals))
    after_tier = [s - t for s, t in zip(subtotals, tier_shares, strict=True)]

    result: PromotionResult | None = None
    promotion_shares = tuple(0 for _ in lines)
    if promotion is not None:
        if request.now is None:
            raise ValueError("pricing with a promotion needs `now`")
        result = evaluate(promotion, now=request.now, customer_uses=customer_uses,
                          currency=currency, seller_ids=[line.seller_id for line in lines],
                          amounts=after_tier)
        if result.applicable:
            weights = [a if ok else 0 for a, ok in zip(after_tier, result.eligible, strict=True)]
            promotion_shares = tuple(allocate(result.item_discount, weights))
    return _Items(currency, request.tier, lines, sellers, subtotals, tier_shares, result,
                  promotion_shares)


def _shipping_charges(items: _Items, code: str, *,
                      free_sellers: frozenset[Hashable] | None = None) -> list[int]:
    return ship.seller_charges(
        code, sellers=items.sellers, currency=items.currency,
        items_after_discounts=sum(items.after_promotion), tier=items.tier,
        promotion_free_sellers=items.free_shipping_sellers if free_sellers is None
        else free_sellers)


# ---------------------------------------------------------------- public functions

def calculate(request: PricingRequest) -> PriceBreakdown:
    """Price a checkout. Raises DomainError: PROMOTION_INVALID, PROMOTION_NOT_APPLICABLE,
    INSUFFICIENT_POINTS, INVALID_INPUT (points over the cap, unknown shipping method, mixed
    currencies)."""
    items = _items(request, request.promotion, request.promotion_customer_uses)
    currency = items.currency
    if items.promotion is not None and items.promotion.error is not None:
        raise items.promotion.error
    after_promotion = items.after_promotion

    cap = max_points(sum(after_promotion), currency)
    error = points_error(request.points_requested, balance=request.points_balance, cap=cap,
                         currency=currency)
    if error is not None:
        raise error
    points_minor = points_to_minor(request.points_requested, currency)
    points_shares = allocate(points_minor, after_promotion)
    nets = [a - p for a, p in zip(after_promotion, points_shares, strict=True)]

    option: ShippingOption | None = None
    charges = [0 for _ in items.sellers]
    saving = 0
    if request.shipping_method is not None:
        chosen = ship.method(request.shipping_method)
        if chosen is None:
            raise DomainError("INVALID_INPUT",
                              f"Unknown shipping method {request.shipping_method}; choose one "
                              f"of {', '.join(ship.METHODS)}", list(SHIPPING_FIELD))
        charges = _shipping_charges(items, chosen.code)
        saving = sum(_shipping_charges(items, chosen.code, free_sellers=frozenset())) \
            - sum(charges)
        option = ShippingOption(chosen.code, chosen.name, Money(sum(charges), currency),
                                chosen.estimated_days)

    rate = rate_for(request.tax_rates, request.destination)
    tax_total = tax_on(sum(nets) + sum(charges), rate)
    tax_shares = allocate(tax_total, nets + charges)
    line_tax, shipping_tax = tax_shares[:len(nets)], tax_shares[len(nets):]

    def money(minor: int) -> Money:
        return Money(minor, currency)

    lines = tuple(
        LinePrice(line.key, line.seller_id, line.quantity, money(line.unit_price),
                  money(sub), money(tier), money(promo), money(points), money(net), money(tax))
        for line, sub, tier, promo, points, net, tax in zip(
            items.lines, items.subtotals, items.tier_shares, items.promotion_shares,
            points_shares, nets, line_tax, strict=True))
    sellers = []
    for seller, charge, charge_tax in zip(items.sellers, charges, shipping_tax, strict=True):
        own = [line for line in lines if line.seller_id == seller]
        sellers.append(SellerPrice(
            seller, money(sum(x.subtotal.minor for x in own)),
            money(sum(x.revenue.minor for x in own)),
            money(sum(x.points_discount.minor for x in own)), money(charge), money(charge_tax),
            money(sum(x.tax.minor for x in own) + charge_tax)))

    discounts = _discounts(request, items, points_minor)
    subtotal = sum(items.subtotals)
    discount_total = sum(d.amount.minor for d in discounts)
    applied = items.applied
    return PriceBreakdown(
        currency=currency, subtotal=money(subtotal), discounts=discounts,
        discount_total=money(discount_total), shipping=money(sum(charges)),
        tax=money(tax_total), total=money(subtotal - discount_total + sum(charges) + tax_total),
        points_used=request.points_requested, max_points=cap, tax_rate=rate,
        shipping_method=option, promotion_code=applied.promotion.code if applied else None,
        promotion_shipping_saving=money(saving), lines=lines, sellers=tuple(sellers))


def _discounts(request: PricingRequest, items: _Items, points_minor: int) -> tuple[Discount, ...]:
    currency = items.currency
    result = []
    tier_total = sum(items.tier_shares)
    if tier_total:
        percent = benefits(request.tier).discount_percent
        result.append(Discount("TIER", None, f"{Tier(request.tier).value} tier: {percent}% off "
                               "items", Money(tier_total, currency)))
    applied = items.applied
    if applied is not None:
        result.append(Discount("PROMOTION", applied.promotion.code,
                               applied.promotion.describe(),
                               Money(sum(items.promotion_shares), currency)))
    if points_minor:
        result.append(Discount("LOYALTY_POINTS", None,
                               f"{request.points_requested} loyalty points",
                               Money(points_minor, currency)))
    return tuple(result)


def available_shipping_methods(request: PricingRequest) -> list[ShippingOption]:
    """Every method with its price for this checkout (all shipments), STANDARD first.

    Uses the request's promotion only if it applies (a code that does not cannot raise
    here; `calculate` reports it). Points do not change shipping."""
    items = _items(request, request.promotion, request.promotion_customer_uses)
    return ship.quote_methods(sellers=items.sellers, currency=items.currency,
                              items_after_discounts=sum(items.after_promotion),
                              tier=request.tier,
                              promotion_free_sellers=items.free_shipping_sellers)


def preview_promotions(request: PricingRequest, promotions: Iterable[Promotion],
                       customer_uses: Mapping[str, int] | None = None
                       ) -> list[PromotionPreview]:
    """What each code would take off this checkout now, in place of the request's own code.

    PERCENT/FIXED: the amount off the items. FREE_SHIPPING: the shipping it saves with the
    chosen method (STANDARD when none is chosen yet). Not applicable: discount 0 and the
    reason (PROMOTION_INVALID or PROMOTION_NOT_APPLICABLE)."""
    uses = customer_uses or {}
    previews = []
    for promotion in promotions:
        items = _items(request, promotion, uses.get(promotion.code, 0))
        result = items.promotion
        assert result is not None
        if result.error is not None:
            previews.append(PromotionPreview(promotion.code, promotion.describe(), False,
                                             Money(0, items.currency), result.error))
            continue
        amount = sum(items.promotion_shares)
        if promotion.kind is PromotionKind.FREE_SHIPPING:
            code = request.shipping_method if request.shipping_method and ship.method(
                request.shipping_method) else ship.STANDARD
            amount = (sum(_shipping_charges(items, code, free_sellers=frozenset()))
                      - sum(_shipping_charges(items, code)))
        previews.append(PromotionPreview(promotion.code, promotion.describe(), True,
                                         Money(amount, items.currency)))
    return previews
