"""Types shared by every feature: Node, PageInfo, Money, UserError, ErrorCode, DateTime."""
from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Optional

import strawberry
from strawberry.types import Info

from domain.money import Money as DomainMoney
from domain.money import amount_text, within_ceiling
from schema.amounts import amount_over_ceiling

if TYPE_CHECKING:
    from domain.errors import DomainError


@strawberry.enum
class ErrorCode(Enum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    PRODUCT_UNAVAILABLE = "PRODUCT_UNAVAILABLE"
    PRICE_CHANGED = "PRICE_CHANGED"
    CART_EMPTY = "CART_EMPTY"
    CART_EXPIRED = "CART_EXPIRED"
    CHECKOUT_EXPIRED = "CHECKOUT_EXPIRED"
    CHECKOUT_INCOMPLETE = "CHECKOUT_INCOMPLETE"
    PROMOTION_INVALID = "PROMOTION_INVALID"
    PROMOTION_NOT_APPLICABLE = "PROMOTION_NOT_APPLICABLE"
    INSUFFICIENT_POINTS = "INSUFFICIENT_POINTS"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    PAYMENT_PROVIDER_UNAVAILABLE = "PAYMENT_PROVIDER_UNAVAILABLE"
    INVALID_STATE_TRANSITION = "INVALID_STATE_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"  # an amount over the ceiling (docs/rules.md)


@strawberry.type
class UserError:
    code: ErrorCode
    field: Optional[list[str]] = strawberry.field(
        description='Path to the offending input field, e.g. ["input", "quantity"]; null when '
        "not about a field."
    )
    message: str
    retry_after_seconds: Optional[int] = strawberry.field(
        default=None, description="When repeating the same request later may succeed (e.g. "
        "PAYMENT_PROVIDER_UNAVAILABLE while the provider's circuit breaker is open): seconds "
        "to wait first; null otherwise.")

    @classmethod
    def from_domain(cls, error: "DomainError") -> "UserError":
        retry_after = error.data.get("retryAfterSeconds")
        return cls(code=ErrorCode(error.code), field=list(error.field) if error.field else None,
                   message=error.message,
                   retry_after_seconds=retry_after if isinstance(retry_after, int) else None)


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: Optional[str] = None
    end_cursor: Optional[str] = None


@strawberry.type
class Money:
    _minor: strawberry.Private[int]
    currency: str
    amount: str = strawberry.field(description='Decimal string, e.g. "249.99".')

    @strawberry.field(description="Amount in the currency's minor unit (cents for USD).")
    def minor_units(self, info: Info) -> int:
        """Never fails a read (docs/rules.md "Amount ceiling"): a figure past GraphQL's 32-bit
        Int (a row stored before the ceiling, a sum over many orders) is answered clamped to
        the Int range, `amount` stays exact, and the response carries a LIMIT_EXCEEDED error
        at this path (schema.amounts.flush_amount_warnings)."""
        if within_ceiling(self._minor):
            return self._minor
        return amount_over_ceiling(info, self._minor)

    @classmethod
    def from_domain(cls, money: DomainMoney) -> "Money":
        return cls.of(money.minor, money.currency)

    @classmethod
    def of(cls, minor: int, currency: str) -> "Money":
        return cls(_minor=minor, currency=currency, amount=amount_text(minor, currency))
