"""Running the outbox dispatcher: a loop in the server (lifespan task, one per process; safe
to run several, see domain/outbox/dispatch.py) and `marketplace dispatch` (one pass)."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from domain.outbox.dispatch import (
    CLAIM_LEASE,
    Mailer,
    Transaction,
    claim_stale,
    dispatch,
    send_queued,
)
from adapters.mail import SmtpMailer
from ops.loops import repeat, standalone_transactions

log = logging.getLogger("marketplace.dispatch")
BATCH = 100


@dataclass(frozen=True)
class DispatchReport:
    dispatched: int = 0
    emails_sent: int = 0
    emails_failed: int = 0

    def __str__(self) -> str:
        return (f"events dispatched: {self.dispatched}, e-mails sent: {self.emails_sent}, "
                f"e-mails failed: {self.emails_failed}")


def mailer_from(settings: Any) -> SmtpMailer | None:
    """The SMTP sender when SMTP_HOST is set; None keeps e-mails as STORED records."""
    if not settings.smtp_host:
        return None
    return SmtpMailer(host=settings.smtp_host, port=settings.smtp_port,
                      sender=settings.smtp_from)


async def dispatch_pending(transaction: Transaction, mailer: Mailer | None, *,
                           batch: int = BATCH, recover: bool = False) -> DispatchReport:
    """Dispatch batches until fewer than `batch` come back; each batch's e-mails are sent
    right after its commit. With `recover`, QUEUED e-mails whose sender died are sent too."""
    dispatched = sent = failed = 0
    while True:
        done = await transaction(lambda uow: dispatch(uow, batch=batch,
                                                      send_email=mailer is not None))
        dispatched += done.count
        if mailer is not None and done.outgoing:
            ok, bad = await send_queued(transaction, mailer, done.outgoing)
            sent, failed = sent + ok, failed + bad
        if done.count < batch:
            break
    while mailer is not None and recover:
        stale = await transaction(lambda uow: claim_stale(uow, limit=batch))
        ok, bad = await send_queued(transaction, mailer, stale)
        sent, failed = sent + ok, failed + bad
        if len(stale) < batch:
            break
    return DispatchReport(dispatched, sent, failed)


async def run_dispatcher(runtime: Any) -> None:
    """Lifespan task: drain the outbox, then sleep settings.dispatch_interval_seconds; errors
    are logged and the next pass retries. Idle passes only read (no write transaction)."""
    mailer = mailer_from(runtime.settings)
    next_recovery = 0.0

    async def step() -> None:
        nonlocal next_recovery
        recover = mailer is not None and time.monotonic() >= next_recovery
        if recover:
            next_recovery = time.monotonic() + CLAIM_LEASE.total_seconds()
        if recover or await runtime.read(lambda uow: uow.dispatch.has_pending()):
            report = await dispatch_pending(runtime.transaction, mailer, recover=recover)
            if report.emails_failed:
                log.warning("dispatch: %s", report)
            elif report.dispatched or report.emails_sent:
                log.debug("dispatch: %s", report)

    await repeat(runtime.settings.dispatch_interval_seconds, log, "dispatch", step)


async def dispatch_once_cli(settings: Any) -> DispatchReport:
    async with standalone_transactions(settings) as transaction:
        return await dispatch_pending(transaction, mailer_from(settings), recover=True)
