"""adminSalesReport through HTTP, from orders placed and paid through the API and delivered to
analytics by the outbox dispatcher; the buyer's notification records; a real SMTP send to a
minimal SMTP server on a loopback port."""
from __future__ import annotations

import asyncio
import email
from dataclasses import replace
from datetime import timedelta
from email.message import Message
from typing import Any

from sqlalchemy import select

from domain.outbox.dispatch import dispatch_batch
from domain.pricing.rounding import div_half_even
from ops.dispatch import run_dispatcher
from persistence.tables import notifications
from tests.support.factories import make_account
from tests.support.orders import checkout, complete

REPORT = """query($from: DateTime!, $to: DateTime!) { adminSalesReport(from: $from, to: $to) {
  ordersPlaced ordersPaid checkoutsStarted checkoutConversion
  grossMerchandiseValue { minorUnits currency amount }
  averageOrderValue { minorUnits currency amount } } }"""
CANCEL = """mutation($id: ID!) { orderCancel(orderId: $id) { order { status }
  userErrors { code } } }"""


def window(runtime: Any, before: timedelta = timedelta(hours=1),
           after: timedelta = timedelta(hours=1)) -> dict[str, str]:
    now = runtime.clock.now()
    return {"from": (now - before).isoformat(), "to": (now + after).isoformat()}


async def dispatch_all(runtime: Any) -> int:
    total = 0
    while True:
        done = await runtime.transaction(lambda uow: dispatch_batch(uow))
        total += done
        if done < 100:
            return total


async def notes_of(runtime: Any, user_id: int) -> list[Any]:
    async with runtime.db.read_engine.connect() as conn:
        return list((await conn.execute(select(notifications).where(
            notifications.c.user_id == user_id).order_by(notifications.c.id))).all())


async def test_report_counts_orders_payments_and_checkouts(gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    paid_buyers = [await make_account(runtime) for _ in range(2)]
    declined_buyer = await make_account(runtime)
    browsing_buyer = await make_account(runtime)

    totals = []
    for i, buyer in enumerate(paid_buyers):
        sid, _ = await checkout(gql, runtime, buyer, [(seller, 1999 + 1000 * i)])
        placed = await complete(gql, buyer.token, sid)
        assert placed["userErrors"] == [] and placed["payment"]["status"] == "SUCCEEDED"
        totals.append(placed["order"]["pricing"]["total"]["minorUnits"])
    sid, _ = await checkout(gql, runtime, declined_buyer, [(seller, 5000)])
    declined = await complete(gql, declined_buyer.token, sid, pm="pm_card_chargeDeclined")
    assert declined["payment"]["status"] == "FAILED"
    cancelled = (await gql.data(CANCEL, {"id": declined["order"]["id"]},
                                token=declined_buyer.token))["orderCancel"]
    assert cancelled["userErrors"] == [] and cancelled["order"]["status"] == "CANCELLED"
    await checkout(gql, runtime, browsing_buyer, [(seller, 700)])  # starts, never places

    # Analytics come from dispatched events: nothing before the dispatcher ran.
    empty = (await gql.data(REPORT, window(runtime), token=admin.token))["adminSalesReport"]
    assert (empty["ordersPlaced"], empty["checkoutsStarted"]) == (0, 0)

    assert await dispatch_all(runtime) > 0
    report = (await gql.data(REPORT, window(runtime), token=admin.token))["adminSalesReport"]
    gmv = sum(totals)
    assert report["ordersPlaced"] == 3
    assert report["ordersPaid"] == 2
    assert report["checkoutsStarted"] == 4
    assert report["checkoutConversion"] == 0.5
    assert report["grossMerchandiseValue"]["minorUnits"] == gmv
    assert report["grossMerchandiseValue"]["currency"] == "USD"
    assert report["averageOrderValue"]["minorUnits"] == div_half_even(gmv, 2)
    assert report["averageOrderValue"]["amount"] == (
        f"{div_half_even(gmv, 2) // 100}.{div_half_even(gmv, 2) % 100:02d}")

    # A second dispatch pass and the same report: nothing counted twice.
    assert await dispatch_all(runtime) == 0
    again = (await gql.data(REPORT, window(runtime), token=admin.token))["adminSalesReport"]
    assert again == report

    # [from, to) is half-open: a window that ends at the events' time sees none of them.
    before = window(runtime, before=timedelta(hours=1), after=timedelta(0))
    early = (await gql.data(REPORT, before, token=admin.token))["adminSalesReport"]
    assert (early["ordersPlaced"], early["ordersPaid"], early["checkoutsStarted"]) == (0, 0, 0)
    assert early["checkoutConversion"] == 0.0 and early["averageOrderValue"]["minorUnits"] == 0

    # The buyers' notification records (no SMTP configured: STORED).
    first = await notes_of(runtime, paid_buyers[0].user_id)
    number = (await _number(gql, runtime, paid_buyers[0]))
    assert [(n.template, n.channel, n.status) for n in first] == [
        ("order_confirmation", "EMAIL", "STORED"), ("payment_receipt", "EMAIL", "STORED")]
    assert first[0].subject == f"Your order {number} is placed"
    assert first[0].recipient == paid_buyers[0].email
    total = totals[0]
    assert f"{total // 100}.{total % 100:02d} USD" in first[0].body
    assert [n.template for n in await notes_of(runtime, declined_buyer.user_id)] == [
        "order_confirmation", "payment_failed", "order_cancelled"]
    assert await notes_of(runtime, browsing_buyer.user_id) == []


async def _number(gql: Any, runtime: Any, buyer: Any) -> str:
    me = await gql.data("{ me { orders { edges { node { number } } } } }", token=buyer.token)
    return str(me["me"]["orders"]["edges"][0]["node"]["number"])


async def test_only_admins_and_a_valid_range(gql: Any, runtime: Any) -> None:
    buyer = await make_account(runtime)
    seller = await make_account(runtime, "SELLER")
    admin = await make_account(runtime, "ADMIN")
    for who in (buyer, seller):
        body = await gql(REPORT, window(runtime), token=who.token)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await gql(REPORT, window(runtime))
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    now = runtime.clock.now().isoformat()
    for bad in ({"from": now, "to": now},
                window(runtime, before=timedelta(hours=-2), after=timedelta(hours=1))):
        body = await gql(REPORT, bad, token=admin.token)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "QUERY_REJECTED"
        assert "`to` must be later than `from`" in body["errors"][0]["message"]
    # A DateTime without an offset is read as UTC.
    naive = {"from": "2020-01-01T00:00:00", "to": "2020-01-02T00:00:00"}
    zero = (await gql.data(REPORT, naive, token=admin.token))["adminSalesReport"]
    assert zero["ordersPlaced"] == 0 and zero["grossMerchandiseValue"]["minorUnits"] == 0


class TinySmtpServer:
    """Just enough SMTP (RFC 5321) for smtplib: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET,
    NOOP, QUIT. Keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], Message]] = []
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await reply("220 tiny.test ESMTP")
        sender, recipients = "", []
        try:
            while line := await reader.readline():
                command = line.decode().rstrip("\r\n")
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    await reply("250 tiny.test")
                elif verb == "MAIL":
                    sender, recipients = command.partition(":")[2].strip(), []
                    await reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.partition(":")[2].strip())
                    await reply("250 OK")
                elif verb == "DATA":
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    self.received.append((sender, recipients,
                                          email.message_from_bytes(b"".join(lines))))
                    await reply("250 OK queued")
                elif verb in ("RSET", "NOOP"):
                    await reply("250 OK")
                elif verb == "QUIT":
                    await reply("221 Bye")
                    break
                else:
                    await reply("502 Command not implemented")
        finally:
            writer.close()


async def test_the_dispatcher_sends_email_over_smtp_after_the_commit(
        gql: Any, runtime: Any) -> None:
    smtp = TinySmtpServer()
    port = await smtp.start()
    runtime.settings = replace(runtime.settings, smtp_host="127.0.0.1", smtp_port=port,
                               smtp_from="Shop <shop@example.com>",
                               dispatch_interval_seconds=0.02)
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime, name="Ada")
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    assert (await complete(gql, buyer.token, sid))["userErrors"] == []
    loop = asyncio.create_task(run_dispatcher(runtime))
    try:
        for _ in range(500):
            notes = await notes_of(runtime, buyer.user_id)
            if len(notes) == 2 and {n.status for n in notes} == {"SENT"}:
                break
            await asyncio.sleep(0.02)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
        await smtp.stop()
    assert [(n.template, n.status) for n in notes] == [("order_confirmation", "SENT"),
                                                       ("payment_receipt", "SENT")]
    assert all(n.sent_at is not None for n in notes)
    assert len(smtp.received) == 2
    sender, recipients, message = smtp.received[0]
    assert sender.strip("<>") == "shop@example.com"
    assert [r.strip("<>") for r in recipients] == [buyer.email]
    assert message["To"] == buyer.email and message["From"] == "Shop <shop@example.com>"
    number = await _number(gql, runtime, buyer)
    assert message["Subject"] == f"Your order {number} is placed"
    assert "Hello Ada" in message.get_payload()
    assert smtp.received[1][2]["Subject"] == f"Payment received for order {number}"


async def test_an_unreachable_smtp_server_marks_the_email_failed(
        gql: Any, runtime: Any) -> None:
    from ops.dispatch import dispatch_pending, mailer_from
    from tests.support.server import free_port

    settings = replace(runtime.settings, smtp_host="127.0.0.1", smtp_port=free_port())
    buyer = await make_account(runtime)
    seller = await make_account(runtime, "SELLER")
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 1200)])
    assert (await complete(gql, buyer.token, sid))["userErrors"] == []
    report = await dispatch_pending(runtime.transaction, mailer_from(settings))
    assert (report.emails_sent, report.emails_failed) == (0, 2)
    assert {n.status for n in await notes_of(runtime, buyer.user_id)} == {"FAILED"}
