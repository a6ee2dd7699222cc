"""Promotion codes: what they are and when they apply. Pure rules; the engine allocates.

Rules (docs/rules.md "Checkout"):
- Kinds: PERCENT (`value` 1..100 percent off the eligible items), FIXED (`value` minor units
  off the eligible items, capped at their amount), FREE_SHIPPING (STANDARD shipping becomes
  free; `value` unused). At most one code per checkout, on top of the tier discount.
- Codes are compared trimmed and upper-cased (`normalize_code`).
- PROMOTION_INVALID - the code itself cannot be used now, whatever the cart: unknown,
  inactive, not started (now < starts_at), expired (now >= ends_at: the window is
  [starts_at, ends_at)), total usage limit reached (times_used >= usage_limit), this buyer's
  limit reached (their paid uses >= per_customer_limit). Checked in that order.
- PROMOTION_NOT_APPLICABLE - a usable code this checkout does not qualify for: a seller-only
  code with none of that seller's lines, a code with money amounts (FIXED, or a minimum
  subtotal) in another currency, or eligible items below the minimum subtotal.
- Eligible lines: every line, or only the lines of `seller_id` when the code is restricted to a
  seller. The minimum subtotal is compared with the eligible items AFTER the tier discount (the
  amount the promotion actually works on), inclusive: eligible >= min_subtotal qualifies.
- Discount on the eligible items (after the tier discount): PERCENT rounds half-even to the
  minor unit; FIXED is min(value, eligible). A seller-restricted FREE_SHIPPING code frees only
  that seller's STANDARD shipment (the seller funds it); a platform one frees every seller's.
- Usage: a use is reserved when the order is placed and given back when it is cancelled
  (docs/rules.md, "Money rules"); `times_used` and a buyer's uses count the uses held.
  At checkoutComplete a code with no use left is PROMOTION_NOT_APPLICABLE (`no_use_left`).
"""
from __future__ import annotations

import re

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import DomainError
from domain.money import Money

PROMOTION_FIELD = ("input", "promotionCodes")
_CODE = re.compile(r"[A-Z0-9_-]{3,40}")


class PromotionKind(StrEnum):
    PERCENT = "PERCENT"
    FIXED = "FIXED"
    FREE_SHIPPING = "FREE_SHIPPING"


@dataclass(frozen=True)
class Promotion:
    code: str
    kind: PromotionKind
    value: int = 0
    description: str = ""
    currency: str = "USD"
    min_subtotal_minor: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    times_used: int = 0
    active: bool = True
    seller_id: Hashable | None = None

    def __post_init__(self) -> None:
        # Accept the stored string ("PERCENT") as well as the enum member.
        object.__setattr__(self, "kind", PromotionKind(self.kind))

    @property
    def has_money_amounts(self) -> bool:
        return self.kind is PromotionKind.FIXED or self.min_subtotal_minor is not None

    def describe(self) -> str:
        """The stored description, or one generated from the rule."""
        if self.description:
            return self.description
        if self.kind is PromotionKind.PERCENT:
            return f"{self.value}% off"
        if self.kind is PromotionKind.FIXED:
            return f"{Money(self.value, self.currency).amount} {self.currency} off"
        return "Free standard shipping"


def normalize_code(code: str) -> str:
    return code.strip().upper()


def _error(error_code: str, message: str, **data: object) -> DomainError:
    return DomainError(error_code, message, list(PROMOTION_FIELD), dict(data))


def unknown_code_error(code: str) -> DomainError:
    return _error("PROMOTION_INVALID", f"Promotion code {code} does not exist",
                  code=code, reason="UNKNOWN")


LIMIT_REASONS = ("USAGE_LIMIT_REACHED", "CUSTOMER_LIMIT_REACHED")


def no_use_left(code: str, reason: str = "USAGE_LIMIT_REACHED") -> DomainError:
    """checkoutComplete's answer when the code's (or this buyer's) uses are all held."""
    return _error("PROMOTION_NOT_APPLICABLE",
                  f"Promotion code {code} has no use left; remove it to place the order",
                  code=code, reason=reason)


def definition_errors(promotion: Promotion) -> list[DomainError]:
    """INVALID_INPUT errors for creating/updating a promotion with these fields."""
    errors: list[DomainError] = []

    def bad(message: str, field: str) -> None:
        errors.append(DomainError("INVALID_INPUT", message, ["input", field]))

    code = normalize_code(promotion.code)
    if not _CODE.fullmatch(code):
        bad("A code is 3 to 40 letters, digits, '-' or '_'", "code")
    if not promotion.description.strip():
        bad("A promotion needs a description", "description")
    if promotion.kind is PromotionKind.PERCENT and not 1 <= promotion.value <= 100:
        bad("A PERCENT promotion's value must be between 1 and 100", "value")
    if promotion.kind is PromotionKind.FIXED and promotion.value < 1:
        bad("A FIXED promotion's value must be a positive amount", "value")
    if promotion.min_subtotal_minor is not None and promotion.min_subtotal_minor < 0:
        bad("The minimum subtotal cannot be negative", "minSubtotalMinorUnits")
    naive = False
    for when, field in ((promotion.starts_at, "startsAt"), (promotion.ends_at, "endsAt")):
        if when is not None and when.utcoffset() is None:
            naive = True
            bad("A date and time needs a UTC offset, e.g. 2026-11-24T14:30:00+00:00", field)
    if (not naive and promotion.starts_at and promotion.ends_at
            and promotion.ends_at <= promotion.starts_at):
        bad("The promotion must end after it starts", "endsAt")
    if promotion.usage_limit is not None and promotion.usage_limit < 1:
        bad("The usage limit must be at least 1", "usageLimit")
    if promotion.per_customer_limit is not None and promotion.per_customer_limit < 1:
        bad("The per-customer limit must be at least 1", "perCustomerLimit")
    return errors


def validity_error(promotion: Promotion, *, now: datetime,
                   customer_uses: int = 0) -> DomainError | None:
    """PROMOTION_INVALID with the reason, or None when the code can be used now."""
    code = promotion.code
    if not promotion.active:
        return _error("PROMOTION_INVALID", f"Promotion code {code} is no longer active",
                      code=code, reason="INACTIVE")
    if promotion.starts_at is not None and now < promotion.starts_at:
        return _error("PROMOTION_INVALID",
                      f"Promotion code {code} is not valid until {promotion.starts_at.isoformat()}",
                      code=code, reason="NOT_STARTED")
    if promotion.ends_at is not None and now >= promotion.ends_at:
        return _error("PROMOTION_INVALID",
                      f"Promotion code {code} expired at {promotion.ends_at.isoformat()}",
                      code=code, reason="EXPIRED")
    if promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit:
        return _error("PROMOTION_INVALID",
                      f"Promotion code {code} has reached its usage limit",
                      code=code, reason="USAGE_LIMIT_REACHED")
    if (promotion.per_customer_limit is not None
            and customer_uses >= promotion.per_customer_limit):
        return _error("PROMOTION_INVALID",
                      f"You have already used promotion code {code} the maximum of "
                      f"{promotion.per_customer_limit} time(s)",
                      code=code, reason="CUSTOMER_LIMIT_REACHED")
    return None


@dataclass(frozen=True)
class PromotionResult:
    """The outcome of one code against one checkout.

    `eligible` is aligned with the lines given; `item_discount` is the amount off the eligible
    items (0 for FREE_SHIPPING); `free_shipping_sellers` the sellers whose STANDARD shipment
    the code makes free (empty unless FREE_SHIPPING). `error` is set when it does not apply.
    """

    promotion: Promotion
    error: DomainError | None
    eligible: tuple[bool, ...] = ()
    eligible_amount: int = 0
    item_discount: int = 0
    free_shipping_sellers: frozenset[Hashable] = frozenset()

    @property
    def applicable(self) -> bool:
        return self.error is None


def evaluate(promotion: Promotion, *, now: datetime, customer_uses: int, currency: str,
             seller_ids: Sequence[Hashable], amounts: Sequence[int]) -> PromotionResult:
    """Check a code against lines (their sellers and amounts after the tier discount)."""
    invalid = validity_error(promotion, now=now, customer_uses=customer_uses)
    if invalid is not None:
        return PromotionResult(promotion, invalid)
    code = promotion.code
    eligible = tuple(promotion.seller_id is None or seller == promotion.seller_id
                     for seller in seller_ids)
    if not any(eligible):
        message = (f"Promotion code {code} only applies to another seller's products, and "
                   "none are in this checkout" if promotion.seller_id is not None
                   else f"Promotion code {code} needs at least one product in the checkout")
        return PromotionResult(promotion, _error(
            "PROMOTION_NOT_APPLICABLE", message, code=code, reason="NO_ELIGIBLE_LINES"),
            eligible)
    if promotion.has_money_amounts and promotion.currency != currency:
        return PromotionResult(promotion, _error(
            "PROMOTION_NOT_APPLICABLE",
            f"Promotion code {code} is for {promotion.currency} orders, not {currency}",
            code=code, reason="CURRENCY"), eligible)
    eligible_amount = sum(a for a, ok in zip(amounts, eligible, strict=True) if ok)
    minimum = promotion.min_subtotal_minor
    if minimum is not None and eligible_amount < minimum:
        short = Money(minimum - eligible_amount, currency)
        return PromotionResult(promotion, _error(
            "PROMOTION_NOT_APPLICABLE",
            f"Promotion code {code} needs a subtotal of at least "
            f"{Money(minimum, currency).amount} {currency}"
            f"{' on the eligible products' if promotion.seller_id is not None else ''}; "
            f"add {short.amount} {currency} more", code=code, reason="BELOW_MIN_SUBTOTAL",
            minimum=minimum, missing=short.minor), eligible, eligible_amount)
    discount = item_discount(promotion, eligible_amount)
    free_sellers: frozenset[Hashable] = frozenset()
    if promotion.kind is PromotionKind.FREE_SHIPPING:
        free_sellers = frozenset(s for s, ok in zip(seller_ids, eligible, strict=True) if ok)
    return PromotionResult(promotion, None, eligible, eligible_amount, discount, free_sellers)


def item_discount(promotion: Promotion, eligible_amount: int) -> int:
    """Amount off the eligible items; never negative, never more than they come to."""
    if eligible_amount <= 0:
        return 0
    if promotion.kind is PromotionKind.PERCENT:
        # Imported here: domain.pricing imports this module, so a top-level import would cycle.
        from domain.pricing.rounding import percent_of

        return percent_of(eligible_amount, min(max(promotion.value, 0), 100))
    if promotion.kind is PromotionKind.FIXED:
        return min(max(promotion.value, 0), eligible_amount)
    return 0
