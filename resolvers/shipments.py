"""Shipment lists (seller: their own; admin: all) and who may see a shipment (its seller,
the order's buyer, admins)."""
from __future__ import annotations

from typing import Optional

from dataloaders.queries import ShipmentQuery
from domain.orders.model import Order, Shipment
from resolvers.caller import Caller
from resolvers.listing import Listing
from resolvers.orders import ShownOrder


async def _listing(caller: Caller, query: ShipmentQuery, first: Optional[int],
                   after: Optional[str]) -> Listing[Shipment]:
    loaders = caller.loaders
    page = await loaders.shipment_page(query, caller.page_size(first), after)
    return Listing(page=page, count=lambda: loaders.shipment_count(query))


async def seller_shipments(caller: Caller, first: Optional[int], after: Optional[str],
                           status: Optional[str]) -> Listing[Shipment]:
    me = await caller.require("SELLER")
    return await _listing(caller, ShipmentQuery(seller_id=me.seller_id or -1, status=status),
                          first, after)


async def admin_shipments(caller: Caller, first: Optional[int], after: Optional[str],
                          status: Optional[str]) -> Listing[Shipment]:
    await caller.require("ADMIN")
    return await _listing(caller, ShipmentQuery(status=status), first, after)


async def shipment_node(caller: Caller, pk: int) -> Optional[Shipment]:
    me = await caller.viewer()
    if me is None:
        return None
    found = await caller.loaders.shipment_by_id.load(pk)
    if found is None:
        return None
    if me.is_admin or (me.is_seller and found.seller_id == me.seller_id):
        return found
    order = await caller.loaders.order_by_id.load(found.order_id)
    return found if order and order.buyer_id == me.user_id else None


async def shipment_order(caller: Caller, shipment: Shipment,
                         carried: Optional[Order]) -> ShownOrder:
    """`Shipment.order`: the order as an event carried it, else as stored; as its seller sees
    it when the caller is a seller."""
    found = carried or await caller.loaders.order_by_id.load(shipment.order_id)
    assert found is not None, "a shipment's order cannot be deleted (foreign key)"
    viewer = await caller.viewer()
    seller_view = viewer.seller_id if viewer is not None and viewer.is_seller else None
    return ShownOrder(found, seller_view=seller_view,
                      owner_view=viewer is not None and viewer.user_id == found.buyer_id)
