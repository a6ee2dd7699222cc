"""Root fields of orders and payments."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.types import Info

from resolvers import orders as r
from resolvers import shipments as shipping
from schema.checkout import CheckoutCompleteInput
from schema.types.orders import (
    CheckoutCompletePayload,
    Order,
    OrderConnection,
    OrderPayload,
    OrderStatus,
    PaymentPayload,
)
from schema.payment_faults import PaymentFaultConnection, admin_payment_faults
from schema.types.shipments import ShipmentConnection, ShipmentStatus


@strawberry.type
class Query:
    @strawberry.field(description="An order of the caller (buyer), one containing the caller's "
                      "shipment (seller), or any (admin).")
    async def order(self, info: Info, id: strawberry.ID) -> Optional[Order]:
        return await r.order(info, str(id))

    @strawberry.field(description="Admin only.")
    async def admin_orders(self, info: Info, first: Optional[int] = 20,
                           after: Optional[str] = None,
                           status: Optional[OrderStatus] = None) -> OrderConnection:
        return await r.admin_orders(info, first, after, status)

    @strawberry.field(description="Admin only: provider events not applied because their "
                      "amount or currency is not the payment's, newest first.")
    async def admin_payment_faults(self, info: Info, first: Optional[int] = 20,
                                   after: Optional[str] = None) -> PaymentFaultConnection:
        return await admin_payment_faults(info, first, after)

    @strawberry.field(description="Seller only: their shipments.")
    async def seller_shipments(self, info: Info, first: Optional[int] = 20,
                               after: Optional[str] = None,
                               status: Optional[ShipmentStatus] = None) -> ShipmentConnection:
        return await shipping.seller_shipments(info, first, after, status)

    @strawberry.field(description="Admin only.")
    async def admin_shipments(self, info: Info, first: Optional[int] = 20,
                              after: Optional[str] = None,
                              status: Optional[ShipmentStatus] = None) -> ShipmentConnection:
        return await shipping.admin_shipments(info, first, after, status)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Places the order: allocates stock, creates the order and "
                         "its shipments, starts payment.")
    async def checkout_complete(self, info: Info, id: strawberry.ID,
                                input: CheckoutCompleteInput) -> CheckoutCompletePayload:
        return await r.checkout_complete(info, str(id), input)

    @strawberry.mutation(description="Pays a PENDING_PAYMENT order again, e.g. after a decline, "
                         "with another method.")
    async def order_retry_payment(self, info: Info, order_id: strawberry.ID,
                                  payment_method: str,
                                  idempotency_key: str) -> PaymentPayload:
        return await r.order_retry_payment(info, str(order_id), payment_method,
                                           idempotency_key)

    @strawberry.mutation(description="Buyer or admin: cancels an order that has not shipped; "
                         "refunds what was paid.")
    async def order_cancel(self, info: Info, order_id: strawberry.ID,
                           reason: Optional[str] = None) -> OrderPayload:
        return await r.order_cancel(info, str(order_id), reason)

    @strawberry.mutation(description="Admin: refunds part or all of a paid order.")
    async def order_refund(self, info: Info, order_id: strawberry.ID, amount_minor_units: int,
                           reason: Optional[str] = None) -> PaymentPayload:
        return await r.order_refund(info, str(order_id), amount_minor_units, reason)
