"""domain.outbox.notifications: which events make which records for the buyer."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from domain.outbox.dispatch import OutboxEvent
from domain.outbox.notifications import Contact, message_for, notifications_for

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
ADA = Contact(user_id=5, email="ada@example.com", name="Ada")


def event(event_type: str, **payload: Any) -> OutboxEvent:
    return OutboxEvent(id=11, event_type=event_type, aggregate_type="Order", aggregate_id=3,
                       payload={"orderId": 3, "buyerId": 5, **payload}, created_at=T0)


def test_order_confirmation_has_the_number_and_total() -> None:
    [mail] = notifications_for(event("OrderCreated", number="ORD-2026-000042", total=26998,
                                     currency="USD"), ADA, None, send_email=False)
    assert (mail.template, mail.channel, mail.recipient, mail.status) == (
        "order_confirmation", "EMAIL", "ada@example.com", "STORED")
    assert mail.subject == "Your order ORD-2026-000042 is placed"
    assert "269.98 USD" in mail.body and mail.body.startswith("Hello Ada,")
    assert (mail.event_id, mail.user_id) == (11, 5)


@pytest.mark.parametrize("event_type,payload,template", [
    ("PaymentSucceeded", {"amount": 500, "currency": "USD"}, "payment_receipt"),
    ("PaymentFailed", {"message": "Your card was declined."}, "payment_failed"),
    ("ShipmentStatusChanged", {"status": "SHIPPED", "carrier": "UPS",
                               "trackingNumber": "1Z999"}, "shipping_update"),
    ("ShipmentStatusChanged", {"status": "IN_TRANSIT", "carrier": "UPS",
                               "trackingNumber": "1Z999"}, "shipping_update"),
    ("ShipmentStatusChanged", {"status": "DELIVERED", "carrier": "UPS",
                               "trackingNumber": "1Z999"}, "shipping_update"),
    ("OrderStatusChanged", {"to": "CANCELLED"}, "order_cancelled"),
    ("OrderStatusChanged", {"to": "REFUNDED"}, "order_refunded"),
])
def test_templates(event_type: str, payload: dict[str, Any], template: str) -> None:
    message = message_for(event(event_type, **payload), "ORD-2026-000007")
    assert message is not None and message.template == template
    assert "ORD-2026-000007" in message.subject
    if template == "shipping_update":
        assert "Carrier: UPS" in message.body and "Tracking number: 1Z999" in message.body
    if template == "payment_receipt":
        assert "5.00 USD" in message.body


@pytest.mark.parametrize("event_type,payload", [
    ("ShipmentStatusChanged", {"status": "PROCESSING"}),
    ("ShipmentStatusChanged", {"status": "CANCELLED"}),
    ("OrderStatusChanged", {"to": "CONFIRMED"}),
    ("OrderStatusChanged", {"to": "SHIPPED"}),
    ("CheckoutStarted", {}),
    ("CartItemAdded", {}),
    ("LowStock", {}),
])
def test_events_that_notify_nobody(event_type: str, payload: dict[str, Any]) -> None:
    assert notifications_for(event(event_type, **payload), ADA, "ORD-1", send_email=True) == []


def test_phone_on_the_default_address_adds_a_stored_sms() -> None:
    contact = Contact(user_id=5, email="ada@example.com", name="Ada", phone="+1 415 555 0100")
    mail, sms = notifications_for(event("PaymentSucceeded", amount=500, currency="USD"),
                                  contact, "ORD-2026-000007", send_email=True)
    assert (mail.channel, mail.status) == ("EMAIL", "QUEUED")
    assert (sms.channel, sms.template, sms.recipient, sms.status) == (
        "SMS", "payment_receipt_sms", "+1 415 555 0100", "STORED")
    assert "ORD-2026-000007" in sms.body


def test_unknown_buyer_gets_nothing() -> None:
    assert notifications_for(event("OrderCreated", total=1, currency="USD"), None, None,
                             send_email=False) == []
