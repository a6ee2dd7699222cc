"""Loaders of the orders feature."""
from __future__ import annotations

from typing import Any

from persistence.reads import orders as reads
from persistence.reads import payment_faults

LOADERS: dict[str, Any] = {
    "order_by_id": reads.orders_by_id,
    "order_lines_by_order": reads.lines_by_order,
    "shipments_by_order": reads.shipments_by_order,
    "shipment_by_id": reads.shipments_by_id,
    "payments_by_order": reads.payments_by_order,
    "order_history_by_order": reads.history_by_order,
    "payment_by_id": payment_faults.payments_by_id,
}
