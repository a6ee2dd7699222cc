"""adminPaymentFaults: provider events kept as faults instead of being applied
(domain.payments.faults), newest first, for admins only."""
from __future__ import annotations

from typing import Optional

from domain.payments.faults import PaymentFault
from resolvers.caller import Caller
from resolvers.listing import Listing


async def admin_payment_faults(caller: Caller, first: Optional[int],
                               after: Optional[str]) -> Listing[PaymentFault]:
    await caller.require("ADMIN")
    loaders = caller.loaders
    page = await loaders.payment_fault_page(caller.page_size(first), after)
    return Listing(page=page, count=loaders.payment_fault_count)
