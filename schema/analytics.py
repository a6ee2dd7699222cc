"""The sales report (adminSalesReport), computed from the analytics facts (use case in
resolvers/analytics.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.outbox.analytics import SalesReport as DomainSalesReport
from resolvers import analytics as resolve
from schema.calls import caller, query_errors
from schema.common import Money


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


@strawberry.type
class Query:
    @strawberry.field(description="Admin only: sales over [from, to), from the analytics "
                      "events the outbox dispatcher records.")
    async def admin_sales_report(
            self, info: Info,
            from_: Annotated[datetime, strawberry.argument(name="from")],
            to: datetime) -> SalesReport:
        with query_errors():
            report = await resolve.admin_sales_report(caller(info), from_, to)
        return SalesReport.from_domain(report)
