"""Shipments, GraphQL side: one per seller of an order; the root fields sellerShipments and
adminShipments and the Shipment node (use cases in resolvers/shipments.py). Fulfilment moves
them (schema/fulfilment.py)."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Callable, Optional

import strawberry
from strawberry.types import Info

from domain.orders import model as domain
from domain.ids import encode_id
from domain.orders.model import ShipmentStatus
from resolvers import shipments as resolve
from resolvers.listing import Listing
from schema.calls import caller, page_info, query_errors
from schema.common import Node, PageInfo, UserError
from schema.node import node_resolver
from schema.identity import Seller

if TYPE_CHECKING:
    from schema.orders import Order


strawberry.enum(ShipmentStatus)  # the domain's own enum is the GraphQL one: one list of statuses


@strawberry.type
class ShipmentLine:
    sku: str
    product_name: str
    quantity: int


@strawberry.type
class Shipment(Node):
    _shipment: strawberry.Private[domain.Shipment]
    id: strawberry.ID
    status: ShipmentStatus
    carrier: Optional[str]
    tracking_number: Optional[str]
    shipped_at: Optional[datetime]
    delivered_at: Optional[datetime]
    estimated_delivery: Optional[datetime]
    # An event's shipment: its order as that event carried it (domain.orders.event_state).
    _order: strawberry.Private[Optional[domain.Order]] = None

    @classmethod
    def from_domain(cls, s: domain.Shipment, *,
                    order: domain.Order | None = None) -> "Shipment":
        return cls(_shipment=s, id=strawberry.ID(encode_id("Shipment", s.id)),
                   status=ShipmentStatus(s.status), carrier=s.carrier,
                   tracking_number=s.tracking_number, shipped_at=s.shipped_at,
                   delivered_at=s.delivered_at, estimated_delivery=s.estimated_delivery,
                   _order=order)

    @strawberry.field
    async def order(self, info: Info) -> Annotated[
            "Order", strawberry.lazy("schema.orders")]:
        from schema.orders import Order

        found = await resolve.shipment_order(caller(info), self._shipment, self._order)
        return Order.from_domain(found.order, seller_view=found.seller_view,
                                 owner_view=found.owner_view)

    @strawberry.field
    async def seller(self, info: Info) -> Seller:
        found = await info.context.loaders.seller_by_id.load(self._shipment.seller_id)
        return Seller.from_domain(found)

    @strawberry.field
    async def lines(self, info: Info) -> list[ShipmentLine]:
        lines = await info.context.loaders.order_lines_by_order.load(self._shipment.order_id)
        return [ShipmentLine(sku=ln.sku, product_name=ln.product_name, quantity=ln.quantity)
                for ln in lines if ln.seller_id == self._shipment.seller_id]


@strawberry.type
class ShipmentEdge:
    cursor: str
    node: Shipment


@strawberry.type
class ShipmentConnection:
    edges: list[ShipmentEdge]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Any]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self._count()  # type: ignore[no-any-return]


@strawberry.type
class ShipmentPayload:
    user_errors: list[UserError]
    shipment: Optional[Shipment] = None


NODE_TYPES = [Shipment]


def shipment_connection(listing: Listing[domain.Shipment]) -> ShipmentConnection:
    page = listing.page
    return ShipmentConnection(
        edges=[ShipmentEdge(cursor=cursor, node=Shipment.from_domain(s))
               for s, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page), _count=listing.count)


@node_resolver("Shipment")
async def shipment_node(info: Info, pk: int) -> Optional[Shipment]:
    found = await resolve.shipment_node(caller(info), pk)
    return Shipment.from_domain(found) if found is not None else None


@strawberry.type
class Query:
    @strawberry.field(description="Seller only: their shipments.")
    async def seller_shipments(self, info: Info, first: Optional[int] = 20,
                               after: Optional[str] = None,
                               status: Optional[ShipmentStatus] = None) -> ShipmentConnection:
        with query_errors():
            return shipment_connection(await resolve.seller_shipments(
                caller(info), first, after, status.value if status else None))

    @strawberry.field(description="Admin only.")
    async def admin_shipments(self, info: Info, first: Optional[int] = 20,
                              after: Optional[str] = None,
                              status: Optional[ShipmentStatus] = None) -> ShipmentConnection:
        with query_errors():
            return shipment_connection(await resolve.admin_shipments(
                caller(info), first, after, status.value if status else None))
