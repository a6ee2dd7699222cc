"""adminSalesReport: admins only; the facts of [from, to) read in one query, the figures
computed by domain.outbox.analytics.sales_report."""
from __future__ import annotations

from datetime import datetime, timezone

from domain.outbox.analytics import SalesReport, sales_report
from resolvers.caller import Caller, QueryRejected


def _utc(value: datetime) -> datetime:
    """A DateTime without an offset is read as UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


async def admin_sales_report(caller: Caller, start: datetime, end: datetime) -> SalesReport:
    await caller.require("ADMIN")
    start, end = _utc(start), _utc(end)
    if end <= start:
        # The contract's SalesReport! has no userErrors: a refused range is a top-level error.
        raise QueryRejected("`to` must be later than `from`.")
    facts = await caller.units.read(lambda uow: uow.dispatch.facts_between(start, end))
    return sales_report(facts, start=start, end=end)
