"""Events pushed to subscriptions."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from schema.types.orders import Order, OrderStatus, Payment
from schema.types.shipments import Shipment, ShipmentStatus


@strawberry.type
class OrderEvent:
    order: Order
    type: str = strawberry.field(
        description="ORDER_STATUS_CHANGED, PAYMENT_STATUS_CHANGED or SHIPMENT_STATUS_CHANGED.")
    status: OrderStatus
    shipment: Optional[Shipment]
    payment: Optional[Payment]
    at: datetime


@strawberry.type
class ShipmentEvent:
    shipment: Shipment
    status: ShipmentStatus
    at: datetime
