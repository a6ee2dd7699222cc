"""Analytics facts (rows of `analytics_events`, one per outbox event, written by the dispatcher)
and the sales report computed from them.

Facts: CheckoutStarted (no order, no amount), OrderCreated (amount = the order total),
PaymentSucceeded (amount = the payment amount). `occurred_at` is the outbox row's created_at,
i.e. when the change was committed, not when it was dispatched.

The report over [start, end):
- ordersPlaced: OrderCreated facts in range
- ordersPaid: distinct orders with a PaymentSucceeded fact in range (an order paid in range
  counts even when it was placed before `start`)
- grossMerchandiseValue: sum of the amounts of those PaymentSucceeded facts (gross: later
  refunds and cancellations do not reduce it)
- averageOrderValue: GMV / ordersPaid rounded half-even, 0 when nothing was paid
- checkoutsStarted: CheckoutStarted facts in range
- checkoutConversion: ordersPaid / checkoutsStarted in 0..1 (0 when no checkout started;
  capped at 1.0, since orders paid in range may come from checkouts started before it)

The marketplace is single-currency (USD; carts, orders and the ledger all use it), so amounts
are summed as they are and reported in USD.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from domain import events
from domain.money import Money
from domain.pricing.rounding import div_half_even

if TYPE_CHECKING:
    from domain.outbox.dispatch import OutboxEvent

REPORT_CURRENCY = "USD"
FACT_TYPES = (events.CHECKOUT_STARTED, events.ORDER_CREATED, events.PAYMENT_SUCCEEDED)


@dataclass(frozen=True)
class Fact:
    event_id: int
    event_type: str
    order_id: int | None
    amount_minor: int | None
    currency: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class SalesReport:
    orders_placed: int
    orders_paid: int
    gross_merchandise_value: Money
    average_order_value: Money
    checkouts_started: int
    checkout_conversion: float


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fact_for(event: "OutboxEvent") -> Fact | None:
    """The analytics fact an outbox event records, None for events analytics ignores."""
    p = event.payload
    if event.event_type == events.CHECKOUT_STARTED:
        return Fact(event.id, event.event_type, None, None, None, event.created_at)
    if event.event_type == events.ORDER_CREATED:
        amount = _int(p.get("total"))
    elif event.event_type == events.PAYMENT_SUCCEEDED:
        amount = _int(p.get("amount"))
    else:
        return None
    currency = p.get("currency")
    return Fact(event.id, event.event_type, _int(p.get("orderId")), amount,
                str(currency) if currency else REPORT_CURRENCY, event.created_at)


def sales_report(facts: Iterable[Fact], *, start: datetime, end: datetime,
                 currency: str = REPORT_CURRENCY) -> SalesReport:
    """The report over facts with start <= occurred_at < end (others are ignored)."""
    placed = started = gmv = 0
    paid_orders: set[int] = set()
    for fact in facts:
        if not start <= fact.occurred_at < end:
            continue
        if fact.event_type == events.ORDER_CREATED:
            placed += 1
        elif fact.event_type == events.CHECKOUT_STARTED:
            started += 1
        elif fact.event_type == events.PAYMENT_SUCCEEDED:
            if fact.order_id is not None:
                paid_orders.add(fact.order_id)
            gmv += fact.amount_minor or 0
    paid = len(paid_orders)
    average = div_half_even(gmv, paid) if paid else 0
    conversion = min(1.0, paid / started) if started else 0.0
    return SalesReport(orders_placed=placed, orders_paid=paid,
                       gross_merchandise_value=Money(gmv, currency),
                       average_order_value=Money(average, currency),
                       checkouts_started=started, checkout_conversion=conversion)
