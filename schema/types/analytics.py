"""The sales report (adminSalesReport), computed from the analytics facts."""
from __future__ import annotations

import strawberry

from domain.outbox.analytics import SalesReport as DomainSalesReport
from schema.types.common import Money


@strawberry.type
class SalesReport:
    orders_placed: int
    orders_paid: int
    gross_merchandise_value: Money
    average_order_value: Money
    checkouts_started: int
    checkout_conversion: float = strawberry.field(
        description="ordersPaid / checkoutsStarted, 0..1.")

    @classmethod
    def from_domain(cls, report: DomainSalesReport) -> "SalesReport":
        return cls(orders_placed=report.orders_placed, orders_paid=report.orders_paid,
                   gross_merchandise_value=Money.from_domain(report.gross_merchandise_value),
                   average_order_value=Money.from_domain(report.average_order_value),
                   checkouts_started=report.checkouts_started,
                   checkout_conversion=report.checkout_conversion)
