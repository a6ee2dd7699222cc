"""Order resolvers: checkoutComplete, orderRetryPayment, and who may see which order.

Visibility (docs/rules.md, Roles): a buyer sees their own orders; a seller sees the orders that
contain one of their shipments, with only their lines and shipments; an admin sees all.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from strawberry.types import Info

from domain.identity.viewer import Viewer
from domain.checkout import complete as use_cases
from domain.orders import changes
from domain.errors import forbidden
from domain.ids import decode_pk
from domain.orders.model import Order as DomainOrder
from persistence.reads.orders import OrderQuery, order_count, order_page
from resolvers.checkout import policy
from resolvers.pagination import counter, keyset_page, page_info
from resolvers.common import ctx, mutate, viewer
from resolvers.node import node_resolver
from schema.types.checkout import CheckoutCompleteInput
from schema.types.common import UserError
from schema.types.orders import (
    CheckoutCompletePayload,
    Order,
    OrderConnection,
    OrderEdge,
    OrderPayload,
    OrderStatus,
    Payment,
    PaymentPayload,
)


def provider(info: Info) -> Any:
    return ctx(info).runtime.payment_provider


def return_url(info: Info) -> str:
    return f"{ctx(info).runtime.settings.public_base_url}/payments/return"


async def visible_order(info: Info, order_id: int | None) -> Order | None:
    me = await ctx(info).viewer()
    if me is None or order_id is None:
        return None
    order = await ctx(info).loaders.order_by_id.load(order_id)
    if order is None:
        return None
    if me.is_admin or order.buyer_id == me.user_id or not me.is_seller:
        return shown_order(me, order, ())
    shipments = await ctx(info).loaders.shipments_by_order.load(order.id)
    return shown_order(me, order, [s.seller_id for s in shipments])


def shown_order(me: Viewer, order: DomainOrder, seller_ids: Iterable[int]) -> Order | None:
    """The order as `me` may see it (None: not at all), given the sellers of its shipments."""
    if me.is_admin or order.buyer_id == me.user_id:
        return Order.from_domain(order, owner_view=order.buyer_id == me.user_id)
    if me.is_seller and me.seller_id is not None and me.seller_id in seller_ids:
        return Order.from_domain(order, seller_view=me.seller_id)
    return None


async def order(info: Info, id: str) -> Optional[Order]:
    await viewer(info)
    return await visible_order(info, decode_pk(id, "Order"))


@node_resolver("Order")
async def order_node(info: Info, pk: int) -> Optional[Order]:
    return await visible_order(info, pk)


@node_resolver("Payment")
async def payment_node(info: Info, pk: int) -> Optional[Payment]:
    me = await ctx(info).viewer()
    if me is None:
        return None
    payment = await ctx(info).runtime.read(lambda uow: uow.payments.get(pk))
    if payment is None:
        return None
    owner = await ctx(info).loaders.order_by_id.load(payment.order_id)
    if owner is None or not (me.is_admin or owner.buyer_id == me.user_id):
        return None
    return Payment.from_domain(payment, show_secret=owner.buyer_id == me.user_id)


async def order_connection(info: Info, query: OrderQuery, first: Optional[int],
                           after: Optional[str], me: Viewer) -> OrderConnection:
    page = await keyset_page(
        info, lambda conn, size, cursor: order_page(conn, query, first=size, after=cursor),
        first, after)
    for found in page.items:
        ctx(info).loaders.order_by_id.prime(found.id, found)
    return OrderConnection(
        edges=[OrderEdge(cursor=cursor, node=Order.from_domain(
            o, owner_view=o.buyer_id == me.user_id))
            for o, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page),
        _count=counter(info, lambda conn: order_count(conn, query)))


async def user_orders(info: Info, user_id: int, first: Optional[int], after: Optional[str],
                      status: Optional[OrderStatus]) -> OrderConnection:
    """A user's orders, for the user themself and admins (others see an empty list)."""
    me = await viewer(info)
    owner = user_id if (me.user_id == user_id or me.is_admin) else -1
    return await order_connection(
        info, OrderQuery(buyer_id=owner, status=status.value if status else None),
        first, after, me)


async def admin_orders(info: Info, first: Optional[int], after: Optional[str],
                       status: Optional[OrderStatus]) -> OrderConnection:
    me = await viewer(info, "ADMIN")
    return await order_connection(
        info, OrderQuery(status=status.value if status else None), first, after, me)


def _payload(charged: use_cases.Charged, me: Viewer) -> dict[str, Any]:
    owner = charged.order.buyer_id == me.user_id
    return {"order": Order.from_domain(charged.order, owner_view=owner),
            "payment": Payment.from_domain(charged.payment, show_secret=owner),
            "user_errors": [UserError.from_domain(p) for p in charged.problems]}


async def checkout_complete(info: Info, id: str,
                            input: CheckoutCompleteInput) -> CheckoutCompletePayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        charged = await use_cases.complete_checkout(
            ctx(info).runtime.transaction, ctx(info).runtime.read, provider(info),
            buyer_id=me.user_id,
            session_id=decode_pk(id, "CheckoutSession"), payment_method=input.payment_method,
            idempotency_key=input.idempotency_key, policy=policy(info),
            return_url=return_url(info))
        return _payload(charged, me)

    return await mutate(info, CheckoutCompletePayload, run)


async def order_retry_payment(info: Info, order_id: str, payment_method: str,
                              idempotency_key: str) -> PaymentPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        charged = await use_cases.retry_payment(
            ctx(info).runtime.transaction, ctx(info).runtime.read, provider(info),
            buyer_id=me.user_id,
            order_id=decode_pk(order_id, "Order"), payment_method=payment_method,
            idempotency_key=idempotency_key, return_url=return_url(info))
        return _payload(charged, me)

    return await mutate(info, PaymentPayload, run)


async def order_cancel(info: Info, order_id: str, reason: Optional[str]) -> OrderPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        if not (me.is_admin or me.account_type == "BUYER"):
            raise forbidden("Only the buyer of an order or an admin cancels it.")
        changed = await changes.cancel_order(
            ctx(info).runtime.transaction, provider(info), order_id=decode_pk(order_id, "Order"),
            user_id=me.user_id, is_admin=me.is_admin, reason=reason)
        return {"order": Order.from_domain(changed.order,
                                           owner_view=changed.order.buyer_id == me.user_id),
                "user_errors": [UserError.from_domain(p) for p in changed.problems]}

    return await mutate(info, OrderPayload, run)


async def order_refund(info: Info, order_id: str, amount_minor_units: int,
                       reason: Optional[str]) -> PaymentPayload:
    me = await viewer(info)

    async def run() -> dict[str, Any]:
        changes.check_actor(me.is_admin)
        changed = await changes.refund_order(
            ctx(info).runtime.transaction, provider(info), order_id=decode_pk(order_id, "Order"),
            amount_minor=amount_minor_units, reason=reason)
        return {"order": Order.from_domain(changed.order),
                "payment": Payment.from_domain(changed.payment, show_secret=False)
                if changed.payment else None,
                "user_errors": [UserError.from_domain(p) for p in changed.problems]}

    return await mutate(info, PaymentPayload, run)
