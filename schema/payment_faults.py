"""Payment faults, GraphQL side: provider events not applied because their amount or currency
is not the payment's (domain.payments.faults), listed to admins by adminPaymentFaults (use case
in resolvers/payment_faults.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Optional

import strawberry
from strawberry.types import Info

from domain.ids import encode_id
from domain.payments.faults import PaymentFault as DomainFault
from resolvers import payment_faults as resolve
from schema.calls import caller, query_errors, page_info
from schema.common import PageInfo
from schema.payments import Payment


@strawberry.type
class PaymentFault:
    _fault: strawberry.Private[DomainFault]
    id: strawberry.ID
    kind: str = strawberry.field(description="AMOUNT_MISMATCH or CURRENCY_MISMATCH.")
    message: str
    event_id: str = strawberry.field(description="The provider's event id.")
    event_type: str
    expected_amount: Optional[int] = strawberry.field(
        description="The payment's amount, in minor units.")
    expected_currency: Optional[str]
    received_amount: Optional[int] = strawberry.field(
        description="What the event said, in minor units (null: it said nothing).")
    received_currency: Optional[str]
    created_at: datetime

    @classmethod
    def from_domain(cls, f: DomainFault) -> "PaymentFault":
        return cls(_fault=f, id=strawberry.ID(encode_id("PaymentFault", f.id)), kind=f.kind,
                   message=f.message, event_id=f.event_id, event_type=f.event_type,
                   expected_amount=f.expected_amount, expected_currency=f.expected_currency,
                   received_amount=f.received_amount, received_currency=f.received_currency,
                   created_at=f.created_at)

    @strawberry.field(description="The payment the event named.")
    async def payment(self, info: Info) -> Optional[Payment]:
        if self._fault.payment_id is None:
            return None
        found = await info.context.loaders.payment_by_id.load(self._fault.payment_id)
        return Payment.from_domain(found, show_secret=False) if found else None


@strawberry.type
class PaymentFaultEdge:
    cursor: str
    node: PaymentFault


@strawberry.type
class PaymentFaultConnection:
    edges: list[PaymentFaultEdge]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Any]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self._count()  # type: ignore[no-any-return]


@strawberry.type
class Query:
    @strawberry.field(description="Admin only: provider events not applied because their "
                      "amount or currency is not the payment's, newest first.")
    async def admin_payment_faults(self, info: Info, first: Optional[int] = 20,
                                   after: Optional[str] = None) -> PaymentFaultConnection:
        with query_errors():
            listing = await resolve.admin_payment_faults(caller(info), first, after)
        page = listing.page
        return PaymentFaultConnection(
            edges=[PaymentFaultEdge(cursor=cursor, node=PaymentFault.from_domain(f))
                   for f, cursor in zip(page.items, page.cursors, strict=True)],
            page_info=page_info(page), _count=listing.count)
