"""Root fields of analytics."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import analytics as r
from schema.types.analytics import SalesReport


@strawberry.type
class Query:
    @strawberry.field(description="Admin only: sales over [from, to), from the analytics "
                      "events the outbox dispatcher records.")
    async def admin_sales_report(
            self, info: Info,
            from_: Annotated[datetime, strawberry.argument(name="from")],
            to: datetime) -> SalesReport:
        return await r.admin_sales_report(info, from_, to)
