"""What an outbox event carries of its change (domain.orders.event_state)."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from domain.orders.event_state import VERSION, from_payload, sellers_of, state_payload
from domain.orders.model import Order, Payment, Shipment

AT = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
ORDER = Order(
    id=7, number="ORD-2026-000007", buyer_id=3, checkout_id=5, status="CONFIRMED",
    currency="USD", subtotal_minor=5000, discount_total_minor=0, shipping_minor=599,
    tax_minor=363, total_minor=5962,
    pricing_detail={"discounts": [], "points_minor": 0, "sellers": [
        {"seller_id": 4, "item_revenue": 3000, "shipping": 0, "tax": 0, "points": 0},
        {"seller_id": 2, "item_revenue": 2000, "shipping": 599, "tax": 363, "points": 0}]},
    promotion_code=None, loyalty_points_used=0, loyalty_points_earned=59,
    shipping_address={"full_name": "Ada", "city": "San Francisco"}, billing_address=None,
    shipping_method="STANDARD", notes=None, idempotency_key="k", payment_due_at=None,
    created_at=AT, confirmed_at=AT, history=(("PENDING_PAYMENT", AT),))
SHIPMENT = Shipment(id=9, order_id=7, seller_id=4, status="SHIPPED", shipping_minor=0,
                    carrier="UPS", tracking_number="1Z", estimated_delivery=AT,
                    shipped_at=AT, delivered_at=None, created_at=AT)
PAYMENT = Payment(id=11, order_id=7, provider="offline", provider_reference="pi_1",
                  idempotency_key="ORD:1:k", payment_method="pm_card_visa", status="FAILED",
                  amount_minor=5962, refunded_minor=0, currency="USD", client_secret="secret",
                  next_action_type=None, next_action_url=None, failure_message="declined",
                  created_at=AT)


def _through_the_outbox(payload: dict[str, object]) -> dict[str, object]:
    return json.loads(json.dumps(payload, default=str, sort_keys=True))  # type: ignore[no-any-return]


def test_the_state_survives_the_json_of_an_outbox_row() -> None:
    payload = _through_the_outbox({"orderId": 7, "state": state_payload(
        ORDER, shipment=SHIPMENT, payment=PAYMENT, shipments=[SHIPMENT])})
    state = from_payload(payload)
    assert state is not None
    assert state.order == replace(ORDER, history=())  # history is read when asked for
    assert state.shipment == SHIPMENT and state.shipments == (SHIPMENT,)
    assert state.payment == replace(PAYMENT, client_secret=None)  # never in the outbox
    assert state.seller_ids == (2, 4) == sellers_of(ORDER)


def test_only_what_was_given_is_carried() -> None:
    state = from_payload(_through_the_outbox({"state": state_payload(ORDER)}))
    assert state is not None
    assert (state.shipment, state.payment, state.shipments) == (None, None, None)


def test_rows_of_the_older_shape_or_another_version_carry_nothing() -> None:
    assert from_payload({"orderId": 7, "buyerId": 3}) is None
    other = state_payload(ORDER) | {"v": VERSION + 1}
    assert from_payload({"state": other}) is None
