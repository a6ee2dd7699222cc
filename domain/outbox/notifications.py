"""Notification rules: which outbox events make which records for the order's BUYER (the
SMTP sender used when SMTP_HOST is configured is adapters/mail.py, behind
domain/outbox/dispatch.py's Mailer).

Templates (one record per event, template and buyer; the unique index
(event_id, template, user_id) makes a redelivered event a no-op):
- OrderCreated -> order_confirmation (subject "Your order ORD-... is placed", total in the body)
- PaymentSucceeded -> payment_receipt (amount paid)
- PaymentFailed -> payment_failed (the provider's message; how to retry)
- ShipmentStatusChanged to SHIPPED / IN_TRANSIT / DELIVERED -> shipping_update (carrier and
  tracking number); other shipment statuses notify nobody
- OrderStatusChanged to CANCELLED -> order_cancelled, to REFUNDED -> order_refunded; other
  order statuses notify nobody (the buyer already got the confirmation / receipt / shipping
  mails for them)

Recipient: the buyer's account e-mail (channel EMAIL). When the buyer's default address has a
phone number, an SMS record is written too, with template `<template>_sms` (the unique index has
no channel column, so the channel is part of the template name) and status STORED: there is no
SMS gateway, the record is what an SMS sender would read.

E-mail statuses: STORED when no SMTP host is configured (the record is the deliverable);
QUEUED when one is (written by the dispatcher, sent after its commit), then SENT or FAILED.
A send is at-least-once: a process that dies after the SMTP server accepted a message but
before recording SENT leaves it QUEUED, and it is sent again after the claim lease lapses.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Mapping

from domain import events
from domain.money import Money
from domain.orders.model import OrderStatus, ShipmentStatus

if TYPE_CHECKING:
    from domain.outbox.dispatch import OutboxEvent



class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class NotificationStatus(StrEnum):
    STORED = "STORED"
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"


NOTIFYING = frozenset({events.ORDER_CREATED, events.PAYMENT_SUCCEEDED, events.PAYMENT_FAILED,
                       events.SHIPMENT_STATUS_CHANGED, events.ORDER_STATUS_CHANGED})


SHIPPING_UPDATES: dict[str, tuple[str, str]] = {
    ShipmentStatus.SHIPPED: ("has shipped", "A shipment of your order {number} has shipped."),
    ShipmentStatus.IN_TRANSIT: ("is on its way",
                                "A shipment of your order {number} is in transit."),
    ShipmentStatus.DELIVERED: ("was delivered", "A shipment of your order {number} was delivered."),
}
ORDER_ENDINGS: dict[str, tuple[str, str, str]] = {
    OrderStatus.CANCELLED: ("order_cancelled", "Your order {number} is cancelled",
                  "Your order {number} is cancelled. Anything you paid is refunded to your "
                  "payment method."),
    OrderStatus.REFUNDED: ("order_refunded", "Your order {number} is refunded",
                 "Your order {number} is refunded. The money goes back to your payment "
                 "method within a few days."),
}


@dataclass(frozen=True)
class Contact:
    """Where a user can be reached: account e-mail, and the phone of the default address."""
    user_id: int
    email: str
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class Message:
    """What an event tells the buyer, independent of the channel."""
    template: str
    subject: str
    body: str
    short: str  # the SMS text


@dataclass(frozen=True)
class Notification:
    """One record to write in `notifications`."""
    event_id: int
    user_id: int
    channel: Channel
    template: str
    recipient: str
    subject: str
    body: str
    status: NotificationStatus


@dataclass(frozen=True)
class Outgoing:
    """A QUEUED e-mail to hand to the SMTP server."""
    id: int
    recipient: str
    subject: str
    body: str


def buyer_of(event: "OutboxEvent") -> int | None:
    """The user an event may notify (None: nobody)."""
    if event.event_type not in NOTIFYING:
        return None
    buyer = event.payload.get("buyerId")
    return buyer if isinstance(buyer, int) else None


def order_of(event: "OutboxEvent") -> int | None:
    order = event.payload.get("orderId")
    return order if isinstance(order, int) else None


def _money(payload: Mapping[str, Any], key: str) -> str:
    amount = payload.get(key)
    currency = str(payload.get("currency") or "USD")
    if not isinstance(amount, int):
        return "-"
    return f"{Money(amount, currency).amount} {currency}"


def message_for(event: "OutboxEvent", order_number: str | None) -> Message | None:
    """The message an event makes for its buyer, None when it makes none."""
    p = event.payload
    number = str(p.get("number") or order_number or f"#{p.get('orderId')}")
    if event.event_type == events.ORDER_CREATED:
        total = _money(p, "total")
        return Message(
            "order_confirmation", f"Your order {number} is placed",
            f"Thank you for your order {number}.\n\nTotal: {total}\n\nWe will write again "
            "when the payment is confirmed and when your items ship.",
            f"Order {number} placed, total {total}.")
    if event.event_type == events.PAYMENT_SUCCEEDED:
        amount = _money(p, "amount")
        return Message(
            "payment_receipt", f"Payment received for order {number}",
            f"We received your payment of {amount} for order {number}. Thank you!",
            f"Payment of {amount} received for order {number}.")
    if event.event_type == events.PAYMENT_FAILED:
        reason = str(p.get("message") or "The payment was declined.")
        return Message(
            "payment_failed", f"Payment failed for order {number}",
            f"The payment for order {number} did not go through: {reason}\n\nYou can pay "
            "again with another payment method from the order page before it is cancelled.",
            f"Payment for order {number} failed. Please try another payment method.")
    if event.event_type == events.SHIPMENT_STATUS_CHANGED:
        update = SHIPPING_UPDATES.get(str(p.get("status")))
        if update is None:
            return None
        carrier = str(p.get("carrier") or "not given")
        tracking = str(p.get("trackingNumber") or "not given")
        return Message(
            "shipping_update", f"Your order {number} {update[0]}",
            update[1].format(number=number)
            + f"\n\nCarrier: {carrier}\nTracking number: {tracking}",
            f"Order {number} {update[0]} ({carrier} {tracking}).")
    if event.event_type == events.ORDER_STATUS_CHANGED:
        ending = ORDER_ENDINGS.get(str(p.get("to")))
        if ending is None:
            return None
        template, subject, body = ending
        return Message(template, subject.format(number=number), body.format(number=number),
                       subject.format(number=number) + ".")
    return None


def notifications_for(event: "OutboxEvent", contact: Contact | None, order_number: str | None,
                      *, send_email: bool) -> list[Notification]:
    """The records an event makes for its buyer: an e-mail, plus an SMS when the buyer has a
    phone on their default address. None when the buyer is unknown."""
    if contact is None:
        return []
    message = message_for(event, order_number)
    if message is None:
        return []
    greeting = f"Hello {contact.name},\n\n" if contact.name else ""
    records = [Notification(
        event_id=event.id, user_id=contact.user_id, channel=Channel.EMAIL,
        template=message.template,
        recipient=contact.email, subject=message.subject,
        body=f"{greeting}{message.body}\n\n-- The Marketplace team\n",
        status=NotificationStatus.QUEUED if send_email else NotificationStatus.STORED)]
    if contact.phone:
        records.append(Notification(
            event_id=event.id, user_id=contact.user_id, channel=Channel.SMS,
            template=f"{message.template}_sms", recipient=contact.phone,
            subject=message.subject, body=message.short, status=NotificationStatus.STORED))
    return records
