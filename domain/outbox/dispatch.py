"""The outbox dispatcher: delivers committed outbox rows to notifications and analytics.

`dispatch_batch(uow)` takes the oldest undispatched rows (in id order), writes their
notification records and analytics facts, marks the rows dispatched (dispatched_at = now) and
commits — all in ONE transaction, so these database deliveries are exactly-once: either the
records exist and the row is dispatched, or neither. Several dispatchers can run at once (one
per server process, plus `marketplace dispatch`): on PostgreSQL the rows are taken with
`FOR UPDATE SKIP LOCKED`, so two transactions never take the same row, and marking is a
conditional UPDATE (`dispatched_at IS NULL`); on SQLite, `BEGIN IMMEDIATE` serialises
dispatchers. Should a row ever be delivered twice anyway (e.g. an operator clears
dispatched_at to replay), the unique indexes — notifications (event_id, template, user_id),
analytics_events (event_id) — and `INSERT ... ON CONFLICT DO NOTHING` make it a no-op.

An external SMTP send cannot join the transaction, so it is at-least-once: with SMTP configured
e-mails are written QUEUED and `send_queued` sends them AFTER the commit (smtplib in a thread),
then records SENT (or FAILED, logged) in a second small transaction. A QUEUED row is claimed by
stamping `sent_at` with the claim time; if the process dies between the SMTP server's answer
and recording SENT, another pass re-claims the row once the lease lapsed and sends it again.

Rules are pure (domain.outbox.notifications, domain.outbox.analytics); an
event a rule cannot read (a bad
payload) is logged and marked dispatched without deliveries, so one bad row never stalls the
outbox. Database errors abort the whole batch, which is retried.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, Protocol

from domain.outbox.analytics import Fact, fact_for
from domain.outbox.notifications import (
    Notification,
    Outgoing,
    buyer_of,
    notifications_for,
    order_of,
)

if TYPE_CHECKING:
    from domain.ports import UnitOfWork

log = logging.getLogger("marketplace.dispatch")
CLAIM_LEASE = timedelta(minutes=5)
"""A QUEUED e-mail claimed longer ago than this (its sender died) may be claimed again."""


@dataclass(frozen=True)
class OutboxEvent:
    id: int
    event_type: str
    aggregate_type: str
    aggregate_id: int
    payload: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Dispatched:
    """What one batch did: rows dispatched, and the e-mails to send after the commit."""
    count: int
    outgoing: list[Outgoing] = field(default_factory=list)


class Mailer(Protocol):
    def send(self, recipient: str, subject: str, body: str) -> None: ...


async def dispatch(uow: UnitOfWork, *, batch: int = 100, send_email: bool = False) -> Dispatched:
    """Deliver one batch in the caller's unit of work and commit. With `send_email`, e-mail
    records are QUEUED and already claimed by this dispatcher (returned in `outgoing`)."""
    now = uow.now()
    taken: list[OutboxEvent] = await uow.dispatch.take_batch(batch)
    if not taken:
        await uow.commit()
        return Dispatched(0)
    records: list[Notification] = []
    facts: list[Fact] = []
    contacts = await uow.dispatch.contacts(
        {b for b in (buyer_of(e) for e in taken) if b is not None})
    numbers = await uow.dispatch.order_numbers(
        {o for o in (order_of(e) for e in taken if buyer_of(e) is not None) if o is not None})
    for event in taken:
        try:
            buyer = buyer_of(event)
            if buyer is not None:
                order = order_of(event)
                records.extend(notifications_for(
                    event, contacts.get(buyer), numbers.get(order) if order else None,
                    send_email=send_email))
            fact = fact_for(event)
            if fact is not None:
                facts.append(fact)
        except Exception:  # noqa: BLE001 - a bad payload must not stall the outbox
            log.exception("outbox event %s (%s) could not be delivered; skipped", event.id,
                          event.event_type)
    outgoing = await uow.dispatch.add_notifications(records, now, claim=send_email)
    await uow.dispatch.add_facts(facts)
    await uow.dispatch.mark_dispatched([e.id for e in taken], now)
    await uow.commit()
    return Dispatched(len(taken), outgoing)


async def dispatch_batch(uow: UnitOfWork, *, batch: int = 100, send_email: bool = False) -> int:
    """Deliver one batch (see `dispatch`); returns how many outbox rows it dispatched."""
    return (await dispatch(uow, batch=batch, send_email=send_email)).count


# ---------------------------------------------------------------- e-mail, after the commit

Transaction = Callable[[Callable[[Any], Awaitable[Any]]], Awaitable[Any]]


async def claim_stale(uow: UnitOfWork, *, limit: int = 50) -> list[Outgoing]:
    """Claim QUEUED e-mails nobody is sending: claimed before the lease (or never)."""
    now = uow.now()
    claimed: list[Outgoing] = await uow.dispatch.claim_queued(now, now - CLAIM_LEASE, limit)
    await uow.commit()
    return claimed


async def record_outcomes(uow: UnitOfWork, sent: list[int], failed: list[int]) -> None:
    await uow.dispatch.mark_sent(sent, uow.now())
    await uow.dispatch.mark_failed(failed)
    await uow.commit()


async def send_queued(transaction: Transaction, mailer: Mailer,
                      outgoing: list[Outgoing]) -> tuple[int, int]:
    """Send claimed e-mails (blocking smtplib, in a thread), then record SENT / FAILED in one
    small transaction. Returns (sent, failed)."""
    sent: list[int] = []
    failed: list[int] = []
    for message in outgoing:
        try:
            await asyncio.to_thread(mailer.send, message.recipient, message.subject,
                                    message.body)
        except Exception as exc:  # noqa: BLE001 - SMTP and socket errors alike
            log.warning("e-mail notification %s to %s failed: %s", message.id,
                        message.recipient, exc)
            failed.append(message.id)
        else:
            sent.append(message.id)
    if outgoing:
        await transaction(lambda uow: record_outcomes(uow, sent, failed))
    return len(sent), len(failed)
