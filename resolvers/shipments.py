"""Shipment lists (seller: their own; admin: all) and shipment visibility."""
from __future__ import annotations

from typing import Optional

from strawberry.types import Info

from persistence.reads.orders import ShipmentQuery, shipment_count, shipment_page
from resolvers.pagination import counter, keyset_page, page_info
from resolvers.common import ctx, viewer
from schema.node import node_resolver
from schema.types.shipments import Shipment, ShipmentConnection, ShipmentEdge, ShipmentStatus


async def shipment_connection(info: Info, query: ShipmentQuery, first: Optional[int],
                              after: Optional[str]) -> ShipmentConnection:
    page = await keyset_page(
        info, lambda conn, size, cursor: shipment_page(conn, query, first=size, after=cursor),
        first, after)
    return ShipmentConnection(
        edges=[ShipmentEdge(cursor=cursor, node=Shipment.from_domain(s))
               for s, cursor in zip(page.items, page.cursors, strict=True)],
        page_info=page_info(page),
        _count=counter(info, lambda conn: shipment_count(conn, query)))


def _status(status: Optional[ShipmentStatus]) -> str | None:
    return status.value if status else None


async def seller_shipments(info: Info, first: Optional[int], after: Optional[str],
                           status: Optional[ShipmentStatus]) -> ShipmentConnection:
    me = await viewer(info, "SELLER")
    return await shipment_connection(
        info, ShipmentQuery(seller_id=me.seller_id or -1, status=_status(status)), first, after)


async def admin_shipments(info: Info, first: Optional[int], after: Optional[str],
                          status: Optional[ShipmentStatus]) -> ShipmentConnection:
    await viewer(info, "ADMIN")
    return await shipment_connection(info, ShipmentQuery(status=_status(status)), first, after)


@node_resolver("Shipment")
async def shipment_node(info: Info, pk: int) -> Optional[Shipment]:
    me = await ctx(info).viewer()
    if me is None:
        return None
    found = await ctx(info).loaders.shipment_by_id.load(pk)
    if found is None:
        return None
    if me.is_admin or (me.is_seller and found.seller_id == me.seller_id):
        return Shipment.from_domain(found)
    order = await ctx(info).loaders.order_by_id.load(found.order_id)
    return Shipment.from_domain(found) if order and order.buyer_id == me.user_id else None
