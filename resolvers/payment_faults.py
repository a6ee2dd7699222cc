"""adminPaymentFaults: provider events kept as faults instead of being applied
(domain.payments.faults), newest first, for admins only."""
from __future__ import annotations

from typing import Optional

from strawberry.types import Info

from persistence.reads.payment_faults import fault_count, fault_page
from resolvers.common import viewer
from resolvers.pagination import counter, keyset_page, page_info
from schema.types.payment_faults import (
    PaymentFault,
    PaymentFaultConnection,
    PaymentFaultEdge,
)


async def admin_payment_faults(info: Info, first: Optional[int],
                               after: Optional[str]) -> PaymentFaultConnection:
    await viewer(info, "ADMIN")
    page = await keyset_page(
        info, lambda conn, size, cursor: fault_page(conn, first=size, after=cursor),
        first, after)
    return PaymentFaultConnection(
        edges=[PaymentFaultEdge(cursor=cursor, node=PaymentFault.from_domain(f))
               for f, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page), _count=counter(info, fault_count))
