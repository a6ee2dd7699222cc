"""adminSalesReport: admins only; the facts of [from, to) read in one query, the figures
computed by domain.outbox.analytics.sales_report."""
from __future__ import annotations

from datetime import datetime, timezone

from graphql import GraphQLError
from strawberry.types import Info

from domain.outbox.analytics import sales_report
from resolvers.common import ctx, viewer
from schema.types.analytics import SalesReport


def _utc(value: datetime) -> datetime:
    """A DateTime without an offset is read as UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


async def admin_sales_report(info: Info, start: datetime, end: datetime) -> SalesReport:
    await viewer(info, "ADMIN")
    start, end = _utc(start), _utc(end)
    if end <= start:
        # The contract's SalesReport! has no userErrors: a refused range is a top-level error.
        raise GraphQLError("`to` must be later than `from`.",
                           extensions={"code": "QUERY_REJECTED"})
    facts = await ctx(info).runtime.read(lambda uow: uow.dispatch.facts_between(start, end))
    return SalesReport.from_domain(sales_report(facts, start=start, end=end))
