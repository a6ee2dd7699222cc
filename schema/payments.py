"""Payments, GraphQL side: PaymentStatus, PaymentNextAction, Payment and the Payment node (use
case in resolvers/orders.py). The client secret shows only to the buyer who owns the order."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry
from strawberry.types import Info

from domain.orders import model as domain
from domain.ids import encode_id
from domain.payments.provider import PaymentStatus
from resolvers import orders as resolve
from schema.calls import caller
from schema.common import Money, Node
from schema.node import node_resolver


strawberry.enum(PaymentStatus)  # the domain's own enum is the GraphQL one: one list of statuses


@strawberry.type
class PaymentNextAction:
    type: str = strawberry.field(description="REDIRECT_TO_URL or USE_STRIPE_SDK.")
    url: Optional[str]


@strawberry.type
class Payment(Node):
    _payment: strawberry.Private[domain.Payment]
    _show_secret: strawberry.Private[bool]
    id: strawberry.ID
    status: PaymentStatus
    amount: Money
    refunded_amount: Money
    provider: str
    provider_reference: str = strawberry.field(
        description="Provider reference, e.g. a Stripe PaymentIntent id.")
    failure_message: Optional[str]
    created_at: datetime
    # An event's payment (domain.orders.event_state) does not carry the secret: read when asked.
    _secret_unread: strawberry.Private[bool] = False

    @classmethod
    def from_domain(cls, p: domain.Payment, *, show_secret: bool,
                    secret_unread: bool = False) -> "Payment":
        return cls(_payment=p, _show_secret=show_secret, _secret_unread=secret_unread,
                   id=strawberry.ID(encode_id("Payment", p.id)),
                   status=PaymentStatus(p.status), amount=Money.of(p.amount_minor, p.currency),
                   refunded_amount=Money.of(p.refunded_minor, p.currency), provider=p.provider,
                   provider_reference=p.provider_reference or "",
                   failure_message=p.failure_message, created_at=p.created_at)

    @strawberry.field(description="For the client SDK (Stripe clientSecret); only shown to the "
                      "buyer who owns the order.")
    async def client_secret(self, info: Info) -> Optional[str]:
        if not self._show_secret:
            return None
        if self._secret_unread:
            return await resolve.payment_client_secret(caller(info), self._payment.id)
        return self._payment.client_secret

    @strawberry.field
    def next_action(self) -> Optional[PaymentNextAction]:
        p = self._payment
        if p.status != "REQUIRES_ACTION" or not p.next_action_type:
            return None
        return PaymentNextAction(type=p.next_action_type, url=p.next_action_url)


@node_resolver("Payment")
async def payment_node(info: Info, pk: int) -> Optional[Payment]:
    found = await resolve.payment_node(caller(info), pk)
    if found is None:
        return None
    payment, show_secret = found
    return Payment.from_domain(payment, show_secret=show_secret)
