"""Order use cases: checkoutComplete, orderRetryPayment, orderCancel, orderRefund, order
lists, and who may see which order (the Order and Payment nodes too).

Visibility (docs/rules.md, Roles): a buyer sees their own orders; a seller sees the orders that
contain one of their shipments, with only their lines and shipments; an admin sees all.
The payment provider is called outside any transaction (domain/checkout/complete.py,
domain/orders/changes.py); the caller hands it in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from dataloaders import Loaders
from dataloaders.queries import OrderQuery
from domain.checkout import complete as use_cases
from domain.orders import changes
from domain.errors import forbidden
from domain.identity.viewer import Viewer
from domain.ids import decode_pk
from domain.orders.model import Order, Payment
from domain.payments.provider import PaymentProvider
from resolvers.caller import Caller
from resolvers.listing import Listing


@dataclass(frozen=True)
class ShownOrder:
    """An order as the caller may see it: as its buyer (`owner_view`: payment secrets), as
    one of its sellers (`seller_view`: that seller's lines and shipments only), or as admin."""

    order: Order
    owner_view: bool = False
    seller_view: int | None = None


@dataclass(frozen=True)
class Orders:
    """A page of orders and who asks (their own orders show as theirs)."""

    listing: Listing[Order]
    viewer_id: int


def shown_order(me: Viewer, order: Order, seller_ids: Iterable[int]) -> ShownOrder | None:
    """The order as `me` may see it (None: not at all), given the sellers of its shipments."""
    if me.is_admin or order.buyer_id == me.user_id:
        return ShownOrder(order, owner_view=order.buyer_id == me.user_id)
    if me.is_seller and me.seller_id is not None and me.seller_id in seller_ids:
        return ShownOrder(order, seller_view=me.seller_id)
    return None


async def visible_order(caller: Caller, order_id: int | None) -> ShownOrder | None:
    me = await caller.viewer()
    if me is None or order_id is None:
        return None
    order = await caller.loaders.order_by_id.load(order_id)
    if order is None:
        return None
    if me.is_admin or order.buyer_id == me.user_id or not me.is_seller:
        return shown_order(me, order, ())
    shipments = await caller.loaders.shipments_by_order.load(order.id)
    return shown_order(me, order, [s.seller_id for s in shipments])


async def order(caller: Caller, id: str) -> ShownOrder | None:
    await caller.require()
    return await visible_order(caller, decode_pk(id, "Order"))


async def order_node(caller: Caller, pk: int) -> ShownOrder | None:
    return await visible_order(caller, pk)


async def payment_node(caller: Caller, pk: int) -> tuple[Payment, bool] | None:
    """The payment and whether its secrets show (to the order's buyer), or None."""
    me = await caller.viewer()
    if me is None:
        return None
    payment = await caller.units.read(lambda uow: uow.payments.get(pk))
    if payment is None:
        return None
    owner = await caller.loaders.order_by_id.load(payment.order_id)
    if owner is None or not (me.is_admin or owner.buyer_id == me.user_id):
        return None
    return payment, owner.buyer_id == me.user_id


async def _orders(caller: Caller, query: OrderQuery, first: Optional[int],
                  after: Optional[str], me: Viewer) -> Orders:
    loaders = caller.loaders
    page = await loaders.order_page(query, caller.page_size(first), after)
    for found in page.items:
        loaders.order_by_id.prime(found.id, found)
    return Orders(Listing(page=page, count=lambda: loaders.order_count(query)), me.user_id)


async def user_orders(caller: Caller, user_id: int, first: Optional[int],
                      after: Optional[str], status: Optional[str]) -> Orders:
    """A user's orders, for the user themself and admins (others see an empty list)."""
    me = await caller.require()
    owner = user_id if (me.user_id == user_id or me.is_admin) else -1
    return await _orders(caller, OrderQuery(buyer_id=owner, status=status), first, after, me)


async def admin_orders(caller: Caller, first: Optional[int], after: Optional[str],
                       status: Optional[str]) -> Orders:
    me = await caller.require("ADMIN")
    return await _orders(caller, OrderQuery(status=status), first, after, me)


def _return_url(caller: Caller) -> str:
    return f"{caller.settings.public_base_url}/payments/return"


async def checkout_complete(caller: Caller, provider: PaymentProvider, id: str, *,
                            payment_method: str,
                            idempotency_key: str) -> tuple[use_cases.Charged, bool]:
    """The placed order and its payment, and whether the caller is the order's buyer."""
    me = await caller.require()
    charged = await use_cases.complete_checkout(
        caller.units.transaction, caller.units.read, provider, buyer_id=me.user_id,
        session_id=decode_pk(id, "CheckoutSession"), payment_method=payment_method,
        idempotency_key=idempotency_key, policy=caller.settings.checkout_policy,
        return_url=_return_url(caller))
    return charged, charged.order.buyer_id == me.user_id


def prime_written(loaders: Loaders, charged: use_cases.Charged) -> None:
    """The payload's relations of a new order from what its transactions wrote, not read
    back (docs/rules.md, "Statement budgets of mutations"); `loaders`: the fresh loaders the
    payload reads through."""
    written, order_id = charged.written, charged.order.id
    if written is None:
        return
    loaders.order_lines_by_order.prime(order_id, written.lines)
    loaders.shipments_by_order.prime(order_id, written.shipments)
    loaders.payments_by_order.prime(order_id, written.payments)
    loaders.order_history_by_order.prime(order_id, written.history)


async def order_retry_payment(caller: Caller, provider: PaymentProvider, order_id: str,
                              payment_method: str,
                              idempotency_key: str) -> tuple[use_cases.Charged, bool]:
    me = await caller.require()
    charged = await use_cases.retry_payment(
        caller.units.transaction, caller.units.read, provider, buyer_id=me.user_id,
        order_id=decode_pk(order_id, "Order"), payment_method=payment_method,
        idempotency_key=idempotency_key, return_url=_return_url(caller))
    return charged, charged.order.buyer_id == me.user_id


async def order_cancel(caller: Caller, provider: PaymentProvider, order_id: str,
                       reason: Optional[str]) -> tuple[changes.Changed, bool]:
    me = await caller.require()
    if not (me.is_admin or me.account_type == "BUYER"):
        raise forbidden("Only the buyer of an order or an admin cancels it.")
    changed = await changes.cancel_order(
        caller.units.transaction, provider, order_id=decode_pk(order_id, "Order"),
        user_id=me.user_id, is_admin=me.is_admin, reason=reason)
    return changed, changed.order.buyer_id == me.user_id


async def order_refund(caller: Caller, provider: PaymentProvider, order_id: str,
                       amount_minor: int, reason: Optional[str]) -> changes.Changed:
    me = await caller.require()
    changes.check_actor(me.is_admin)
    return await changes.refund_order(
        caller.units.transaction, provider, order_id=decode_pk(order_id, "Order"),
        amount_minor=amount_minor, reason=reason)


async def payment_client_secret(caller: Caller, payment_id: int) -> str | None:
    """The secret of a payment shown from an event (which does not carry it), read when
    asked; the caller already may see it."""
    found = await caller.units.read(lambda uow: uow.payments.get(payment_id))
    return found.client_secret if found is not None else None
