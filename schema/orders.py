"""Orders, GraphQL side: orders, their lines, payments and status history as the caller may
see them, the order payloads, and the root fields order, adminOrders, checkoutComplete,
orderRetryPayment, orderCancel, orderRefund (use cases in resolvers/orders.py).

A seller sees only their own lines and shipments of an order, and its pricing as their part
of it (their items, their share of the discounts, their shipping and tax); of the buyer, only
what shipping needs: the recipient's name and shipping address, without the phone. The
buyer's account (e-mail), billing address, notes, loyalty points, payments and payment due
time are null, empty or FORBIDDEN for a seller: the table is in docs/rules.md, "What each
role sees"."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Callable, Optional

import strawberry
from strawberry.types import Info

from domain.orders import model as domain
from domain.errors import PermissionDenied
from domain.ids import encode_id
from domain.pricing.shipping import METHODS
from domain.orders.model import OrderStatus
from resolvers import orders as resolve
from schema.calls import caller, context, mutate, query_errors, page_info
from schema.checkout import CheckoutCompleteInput, Discount, Pricing, ShippingMethod
from schema.common import Money, Node, PageInfo, UserError
from schema.node import node_resolver
from schema.identity import Address, Seller, User
from schema.payments import Payment

if TYPE_CHECKING:
    from schema.shipments import Shipment


strawberry.enum(OrderStatus)  # the domain's own enum is the GraphQL one: one list of statuses


@strawberry.type
class OrderLine:
    _line: strawberry.Private[domain.OrderLine]
    sku: str
    product_name: str
    quantity: int
    unit_price: Money
    total: Money

    @classmethod
    def from_domain(cls, line: domain.OrderLine) -> "OrderLine":
        return cls(_line=line, sku=line.sku, product_name=line.product_name,
                   quantity=line.quantity,
                   unit_price=Money.of(line.unit_price_minor, line.currency),
                   total=Money.of(line.total_minor, line.currency))

    @strawberry.field
    async def variant(self, info: Info) -> Optional[Annotated[
            "ProductVariant", strawberry.lazy("schema.catalog")]]:
        from schema.catalog import variant_by_pk

        if self._line.variant_id is None:
            return None
        return await variant_by_pk(info, self._line.variant_id)

    @strawberry.field
    async def seller(self, info: Info) -> Seller:
        found = await info.context.loaders.seller_by_id.load(self._line.seller_id)
        return Seller.from_domain(found)


@strawberry.type
class OrderStatusChange:
    status: OrderStatus
    at: datetime


def _address(data: dict[str, Any] | None, buyer_id: int, *,
             with_phone: bool = True) -> Optional[Address]:
    if data is None:
        return None
    if not with_phone:
        data = {**data, "phone": None}
    from domain.identity.models import Address as DomainAddress
    from domain.identity.models import AddressFields

    names = ("full_name", "line1", "line2", "city", "region", "postal_code", "country", "phone")
    fields = AddressFields(**{k: data.get(k) for k in names})  # type: ignore[arg-type]
    return Address.from_domain(DomainAddress(id=int(data.get("address_id") or 0),
                                             user_id=buyer_id, fields=fields,
                                             is_default=False))


def _pricing(order: domain.Order, seller_id: int | None) -> Pricing:
    """The order's pricing; for a seller, their part of it."""
    money: Callable[[int], Money] = lambda minor: Money.of(minor, order.currency)  # noqa: E731
    if seller_id is None:
        return Pricing(
            subtotal=money(order.subtotal_minor),
            discounts=[Discount(type=d["type"], code=d["code"], description=d["description"],
                                amount=money(int(d["amount"])))
                       for d in order.pricing_detail["discounts"]],
            discount_total=money(order.discount_total_minor),
            shipping=money(order.shipping_minor), tax=money(order.tax_minor),
            total=money(order.total_minor))
    part = next((s for s in order.pricing_detail["sellers"] if s["seller_id"] == seller_id),
                {"item_revenue": 0, "shipping": 0, "tax": 0, "points": 0})
    items, points = int(part["item_revenue"]), int(part["points"])
    return Pricing(subtotal=money(items), discounts=[], discount_total=money(points),
                   shipping=money(int(part["shipping"])), tax=money(int(part["tax"])),
                   total=money(items - points + int(part["shipping"]) + int(part["tax"])))


@strawberry.type
class Order(Node):
    _order: strawberry.Private[domain.Order]
    _seller_view: strawberry.Private[Optional[int]]  # a seller's id: show only their part
    _owner_view: strawberry.Private[bool]
    id: strawberry.ID
    number: str = strawberry.field(description="Human-facing number, e.g. ORD-2026-000123.")
    status: OrderStatus
    pricing: Pricing
    shipping_address: Address
    billing_address: Optional[Address]
    shipping_method: ShippingMethod
    notes: Optional[str]
    payment_due_at: Optional[datetime] = strawberry.field(
        description="Unpaid orders are cancelled and their stock released at this time.")
    created_at: datetime
    confirmed_at: Optional[datetime]

    @classmethod
    def from_domain(cls, order: domain.Order, *, seller_view: int | None = None,
                    owner_view: bool = False) -> "Order":
        method = METHODS[order.shipping_method]
        shipping = _pricing(order, seller_view).shipping
        seller = seller_view is not None  # docs/rules.md, "What each role sees"
        address = _address(order.shipping_address, order.buyer_id, with_phone=not seller)
        assert address is not None
        return cls(
            _order=order, _seller_view=seller_view, _owner_view=owner_view,
            id=strawberry.ID(encode_id("Order", order.id)), number=order.number,
            status=OrderStatus(order.status), pricing=_pricing(order, seller_view),
            shipping_address=address,
            billing_address=None if seller else _address(order.billing_address,
                                                         order.buyer_id),
            shipping_method=ShippingMethod(code=method.code, name=method.name, price=shipping,
                                           estimated_delivery_days=method.estimated_days),
            notes=None if seller else order.notes,
            payment_due_at=order.payment_due_at
            if order.status == "PENDING_PAYMENT" and not seller else None,
            created_at=order.created_at, confirmed_at=order.confirmed_at)

    def _not_for_sellers(self, name: str) -> None:
        if self._seller_view is not None:
            raise PermissionDenied(f"Sellers do not see the order's {name}.")

    @strawberry.field
    def loyalty_points_earned(self) -> int:
        self._not_for_sellers("loyalty points")
        return self._order.loyalty_points_earned

    @strawberry.field
    def loyalty_points_used(self) -> int:
        self._not_for_sellers("loyalty points")
        return self._order.loyalty_points_used

    @strawberry.field
    async def buyer(self, info: Info) -> User:
        found = await info.context.loaders.user_by_id.load(self._order.buyer_id)
        return User.from_domain(found, masked=self._seller_view is not None)

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLine]:
        lines = await info.context.loaders.order_lines_by_order.load(self._order.id)
        return [OrderLine.from_domain(ln) for ln in lines
                if self._seller_view is None or ln.seller_id == self._seller_view]

    @strawberry.field
    async def payments(self, info: Info) -> list[Payment]:
        if self._seller_view is not None:
            return []
        found = await info.context.loaders.payments_by_order.load(self._order.id)
        return [Payment.from_domain(p, show_secret=self._owner_view) for p in found]

    @strawberry.field
    async def shipments(self, info: Info) -> list[Annotated[
            "Shipment", strawberry.lazy("schema.shipments")]]:
        from schema.shipments import Shipment

        found = await info.context.loaders.shipments_by_order.load(self._order.id)
        return [Shipment.from_domain(s) for s in found
                if self._seller_view is None or s.seller_id == self._seller_view]

    @strawberry.field
    async def status_history(self, info: Info) -> list[OrderStatusChange]:
        found = await info.context.loaders.order_history_by_order.load(self._order.id)
        return [OrderStatusChange(status=OrderStatus(status), at=at) for status, at in found]


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Any]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self._count()  # type: ignore[no-any-return]


@strawberry.type
class OrderPayload:
    user_errors: list[UserError]
    order: Optional[Order] = None


@strawberry.type
class PaymentPayload:
    user_errors: list[UserError]
    payment: Optional[Payment] = None
    order: Optional[Order] = None


@strawberry.type
class CheckoutCompletePayload:
    user_errors: list[UserError]
    order: Optional[Order] = None
    payment: Optional[Payment] = None


if TYPE_CHECKING:
    from schema.catalog import ProductVariant

NODE_TYPES = [Order, Payment]


def shown(found: resolve.ShownOrder | None) -> Optional[Order]:
    if found is None:
        return None
    return Order.from_domain(found.order, owner_view=found.owner_view,
                             seller_view=found.seller_view)


def order_connection(found: resolve.Orders) -> OrderConnection:
    page = found.listing.page
    return OrderConnection(
        edges=[OrderEdge(cursor=cursor, node=Order.from_domain(
            o, owner_view=o.buyer_id == found.viewer_id))
            for o, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page), _count=found.listing.count)


async def user_orders(info: Info, user_id: int, first: Optional[int], after: Optional[str],
                      status: Optional[OrderStatus]) -> OrderConnection:
    """`User.orders` (schema/identity.py)."""
    with query_errors():
        return order_connection(await resolve.user_orders(
            caller(info), user_id, first, after, status.value if status else None))


@node_resolver("Order")
async def order_node(info: Info, pk: int) -> Optional[Order]:
    return shown(await resolve.order_node(caller(info), pk))


def _charged(charged: Any, owner: bool) -> dict[str, Any]:
    return {"order": Order.from_domain(charged.order, owner_view=owner),
            "payment": Payment.from_domain(charged.payment, show_secret=owner),
            "user_errors": [UserError.from_domain(p) for p in charged.problems]}


def _provider(info: Info) -> Any:
    return context(info).runtime.payment_provider


@strawberry.type
class Query:
    @strawberry.field(description="An order of the caller (buyer), one containing the caller's "
                      "shipment (seller), or any (admin).")
    async def order(self, info: Info, id: strawberry.ID) -> Optional[Order]:
        return shown(await resolve.order(caller(info), str(id)))

    @strawberry.field(description="Admin only.")
    async def admin_orders(self, info: Info, first: Optional[int] = 20,
                           after: Optional[str] = None,
                           status: Optional[OrderStatus] = None) -> OrderConnection:
        with query_errors():
            return order_connection(await resolve.admin_orders(
                caller(info), first, after, status.value if status else None))


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Places the order: allocates stock, creates the order and "
                         "its shipments, starts payment.")
    async def checkout_complete(self, info: Info, id: strawberry.ID,
                                input: CheckoutCompleteInput) -> CheckoutCompletePayload:
        async def run() -> dict[str, Any]:
            charged, owner = await resolve.checkout_complete(
                caller(info), _provider(info), str(id), payment_method=input.payment_method,
                idempotency_key=input.idempotency_key)
            return {**_charged(charged, owner),
                    "prime": lambda loaders: resolve.prime_written(loaders, charged)}

        return await mutate(info, CheckoutCompletePayload, run)

    @strawberry.mutation(description="Pays a PENDING_PAYMENT order again, e.g. after a decline, "
                         "with another method.")
    async def order_retry_payment(self, info: Info, order_id: strawberry.ID,
                                  payment_method: str,
                                  idempotency_key: str) -> PaymentPayload:
        async def run() -> dict[str, Any]:
            return _charged(*await resolve.order_retry_payment(
                caller(info), _provider(info), str(order_id), payment_method,
                idempotency_key))

        return await mutate(info, PaymentPayload, run)

    @strawberry.mutation(description="Buyer or admin: cancels an order that has not shipped; "
                         "refunds what was paid.")
    async def order_cancel(self, info: Info, order_id: strawberry.ID,
                           reason: Optional[str] = None) -> OrderPayload:
        async def run() -> dict[str, Any]:
            changed, owner = await resolve.order_cancel(caller(info), _provider(info),
                                                        str(order_id), reason)
            return {"order": Order.from_domain(changed.order, owner_view=owner),
                    "user_errors": [UserError.from_domain(p) for p in changed.problems]}

        return await mutate(info, OrderPayload, run)

    @strawberry.mutation(description="Admin: refunds part or all of a paid order.")
    async def order_refund(self, info: Info, order_id: strawberry.ID, amount_minor_units: int,
                           reason: Optional[str] = None) -> PaymentPayload:
        async def run() -> dict[str, Any]:
            changed = await resolve.order_refund(caller(info), _provider(info), str(order_id),
                                                 amount_minor_units, reason)
            return {"order": Order.from_domain(changed.order),
                    "payment": Payment.from_domain(changed.payment, show_secret=False)
                    if changed.payment else None,
                    "user_errors": [UserError.from_domain(p) for p in changed.problems]}

        return await mutate(info, PaymentPayload, run)
