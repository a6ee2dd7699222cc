"""Webhook content checks (docs/rules.md, "Webhook content"): a verified provider event is
applied only when what it says was paid is what the payment asked for.

An event naming one of our payments must carry that payment's amount (when it carries one:
refund events carry the charge amount, which is the payment's) and currency; an event that
would settle a payment (SUCCEEDED) must carry both. Otherwise the event is a fault, kept for
admins (adminPaymentFaults) and never applied, whatever status it announces. The webhook path
calls `check_webhook` before domain.payments.outcomes.apply_webhook.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.payments.provider import PaymentStatus

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

log = logging.getLogger("marketplace.payments")

AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
CURRENCY_MISMATCH = "CURRENCY_MISMATCH"


@dataclass(frozen=True)
class PaymentFault:
    id: int
    kind: str  # AMOUNT_MISMATCH or CURRENCY_MISMATCH
    message: str
    payment_id: int | None
    event_id: str
    event_type: str
    expected_amount: int | None
    expected_currency: str | None
    received_amount: int | None
    received_currency: str | None
    created_at: datetime


@dataclass(frozen=True)
class Mismatch:
    kind: str
    message: str


def webhook_mismatch(payment: Any, event: Any) -> Mismatch | None:
    """What is wrong with `event` (domain.payments.provider.WebhookEvent) for `payment`
    (domain.orders.model.Payment), or None when its amount and currency agree."""
    settles = str(event.status) == PaymentStatus.SUCCEEDED
    currency = event.currency.upper() if event.currency else None
    if (currency is None and settles) or (currency is not None
                                          and currency != payment.currency.upper()):
        return Mismatch(CURRENCY_MISMATCH,
                        f"The event is in {currency or 'no currency'}; the payment is in "
                        f"{payment.currency}.")
    if (event.amount_minor is None and settles) or (
            event.amount_minor is not None and event.amount_minor != payment.amount_minor):
        return Mismatch(AMOUNT_MISMATCH,
                        f"The event is for {event.amount_minor} minor units; the payment is "
                        f"for {payment.amount_minor}.")
    return None


async def check_webhook(uow: UnitOfWork, event: Any) -> Mismatch | None:
    """The mismatch of a verified event with the payment it names, recorded (once per event
    id) and committed; None when it names no payment of ours or agrees with it. The event is
    not recorded as seen, so a genuine event with the same id would still apply."""
    payment = (await uow.payments.by_reference(event.payment_reference)
               if event.payment_reference else None)
    if payment is None:
        return None
    mismatch = webhook_mismatch(payment, event)
    if mismatch is None:
        return None
    log.warning("provider event %s (%s) for payment %s not applied: %s", event.id, event.type,
                payment.id, mismatch.message)
    await uow.payments.record_fault(
        kind=mismatch.kind, message=mismatch.message, payment_id=payment.id,
        event_id=event.id[:100], event_type=event.type[:60],
        expected_amount=payment.amount_minor, expected_currency=payment.currency,
        received_amount=_bounded(event.amount_minor),
        received_currency=event.currency[:10] if event.currency else None, now=uow.now())
    await uow.commit()
    return mismatch


def _bounded(amount: int | None) -> int | None:
    """An event's amount as a BIGINT column holds it (a forged one may be any integer)."""
    limit = 2**63 - 1
    return None if amount is None else max(-limit, min(limit, amount))
