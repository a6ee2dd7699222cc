"""Each subscription event tells the state of its own change (docs/rules.md "Live events carry
their own state"), however late it is delivered: the outbox row carries it.

The first tests deliver the events deterministically late: the changes are all committed
before this process's feed publishes their outbox rows. The last ones run real servers, with
the changes made back to back on the subscriber's process and on another one."""
from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest
from sqlalchemy import select, update

from schema.context import Context
from adapters.live.feed import OutboxFeed
from persistence.tables import outbox
from schema.build import build_schema
from schema.shared_events import cache_for
from tests.support.client import GraphQLClient
from tests.support.factories import Account, make_account
from tests.support.fulfilment import deliver_shipment, process_shipment, ship_shipment
from tests.support.orders import RETRY, checkout, complete
from tests.support.server import start_server
from tests.support.subscriptions import Socket

ORDER_UPDATES = """subscription($id: ID!) { orderUpdates(orderId: $id) { type status
  order { status } shipment { status carrier trackingNumber } payment { status } } }"""
MY_UPDATES = """subscription { myOrderUpdates { type status order { number status }
  payment { status } } }"""
SELLER_UPDATES = """subscription { sellerShipmentUpdates { status shipment { status
  trackingNumber order { status } } } }"""
EXPECTED_FULFILMENT = [
    ("SHIPMENT_STATUS_CHANGED", "CONFIRMED", "PROCESSING"),
    ("ORDER_STATUS_CHANGED", "PROCESSING", None),
    ("SHIPMENT_STATUS_CHANGED", "PROCESSING", "SHIPPED"),
    ("ORDER_STATUS_CHANGED", "SHIPPED", None),
    ("SHIPMENT_STATUS_CHANGED", "SHIPPED", "DELIVERED"),
    ("ORDER_STATUS_CHANGED", "DELIVERED", None),
]


class InProcess:
    """Subscriptions run on this process's schema and bus; the feed publishes only when
    told to (no background feed runs in the in-process app)."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.schema = build_schema(runtime.settings)
        self.feed = OutboxFeed(runtime, runtime.bus)
        self.streams: list[AsyncIterator[Any]] = []

    async def subscribe(self, who: Account, query: str,
                        variables: dict[str, Any] | None = None) -> "Stream":
        context = Context(self.runtime, authorization=f"Bearer {who.token}",
                          client_ip="127.0.0.1")
        results = await self.schema.subscribe(query, variable_values=variables,
                                              context_value=context)
        assert hasattr(results, "__anext__"), results
        count = self.runtime.bus.subscriber_count
        stream = Stream(results)
        for _ in range(100):  # the generator subscribes to the bus on its first step
            if self.runtime.bus.subscriber_count > count:
                break
            await asyncio.sleep(0.01)
        assert self.runtime.bus.subscriber_count > count
        return stream


class Stream:
    def __init__(self, results: Any) -> None:
        self.results = results
        self.pending = asyncio.ensure_future(results.__anext__())

    async def events(self, count: int) -> list[dict[str, Any]]:
        found = []
        while len(found) < count:
            result = await asyncio.wait_for(self.pending, 5)
            assert not result.errors, result.errors
            found.append(next(iter(result.data.values())))
            self.pending = asyncio.ensure_future(self.results.__anext__())
        return found

    async def nothing_more(self) -> None:
        await asyncio.sleep(0.3)
        assert not self.pending.done(), self.pending.result()

    async def close(self) -> None:
        self.pending.cancel()
        with contextlib.suppress(BaseException):
            await self.pending
        await self.results.aclose()


async def _confirmed_order(gql: Any, runtime: Any, buyer: Account,
                           seller: Account) -> dict[str, Any]:
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    placed = await complete(gql, buyer.token, sid)
    assert placed["order"]["status"] == "CONFIRMED", placed
    return placed["order"]  # type: ignore[no-any-return]


async def _fulfil(api: Any, seller: Account, shipment_id: str) -> None:
    assert (await process_shipment(api, seller, shipment_id))["userErrors"] == []
    assert (await ship_shipment(api, seller, shipment_id, "1Z999AA10123456784"))["userErrors"] == []
    assert (await deliver_shipment(api, seller, shipment_id))["userErrors"] == []


def _told(events: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(e["type"], e["status"], (e["shipment"] or {}).get("status")) for e in events]


async def test_process_ship_deliver_delivered_late_each_tell_their_own_change(
        gql: Any, runtime: Any, statements: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    order = await _confirmed_order(gql, runtime, buyer, seller)
    live = InProcess(runtime)
    await live.feed.start_position()
    watchers = [await live.subscribe(buyer, ORDER_UPDATES, {"id": order["id"]})
                for _ in range(3)]
    seller_stream = await live.subscribe(seller, SELLER_UPDATES)
    await _fulfil(gql, seller, order["shipments"][0]["id"])
    statements.reset()
    assert await live.feed.poll_once() == 6  # every change committed before any delivery
    for stream in watchers:
        events = await stream.events(6)
        assert _told(events) == EXPECTED_FULFILMENT
        assert all(e["order"]["status"] == e["status"] for e in events)
        assert [e["shipment"]["trackingNumber"] for e in events
                if e["shipment"]] == [None, "1Z999AA10123456784", "1Z999AA10123456784"]
        await stream.nothing_more()
    shipments = await seller_stream.events(3)
    assert [(s["status"], s["shipment"]["status"], s["shipment"]["order"]["status"])
            for s in shipments] == [("PROCESSING", "PROCESSING", "CONFIRMED"),
                                    ("SHIPPED", "SHIPPED", "PROCESSING"),
                                    ("DELIVERED", "DELIVERED", "SHIPPED")]
    # One read of the outbox for all of it (autocommit: no BEGIN or ROLLBACK around it): no
    # subscriber reads the database per event.
    assert statements.count == 1
    for stream in [*watchers, seller_stream]:
        await stream.close()


async def test_a_failed_payment_event_reports_the_order_unpaid_when_delivered_late(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    live = InProcess(runtime)
    await live.feed.start_position()
    stream = await live.subscribe(buyer, MY_UPDATES)
    sid, _ = await checkout(gql, runtime, buyer, [(seller, 2500)])
    declined = await complete(gql, buyer.token, sid, pm="pm_card_chargeDeclined")
    retried = await gql.data(RETRY, {"order": declined["order"]["id"], "pm": "pm_card_visa",
                                     "key": "retry-1"}, token=buyer.token)
    assert retried["orderRetryPayment"]["order"]["status"] == "CONFIRMED"
    await live.feed.poll_once()
    events = await stream.events(4)
    assert [(e["type"], e["status"], e["order"]["status"], (e["payment"] or {}).get("status"))
            for e in events] == [
        ("ORDER_STATUS_CHANGED", "PENDING_PAYMENT", "PENDING_PAYMENT", None),
        ("PAYMENT_STATUS_CHANGED", "PENDING_PAYMENT", "PENDING_PAYMENT", "FAILED"),
        ("PAYMENT_STATUS_CHANGED", "PENDING_PAYMENT", "PENDING_PAYMENT", "SUCCEEDED"),
        ("ORDER_STATUS_CHANGED", "CONFIRMED", "CONFIRMED", None)]
    await stream.close()


async def test_rows_written_before_events_carried_state_are_still_delivered(
        gql: Any, runtime: Any) -> None:
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    order = await _confirmed_order(gql, runtime, buyer, seller)
    live = InProcess(runtime)
    await live.feed.start_position()
    stream = await live.subscribe(buyer, ORDER_UPDATES, {"id": order["id"]})
    seller_stream = await live.subscribe(seller, SELLER_UPDATES)
    assert (await process_shipment(gql, seller, order["shipments"][0]["id"]))["userErrors"] == []
    async with runtime.db.write_engine.begin() as conn:  # the payload shape of old rows
        rows = (await conn.execute(select(outbox.c.id, outbox.c.payload).where(
            outbox.c.id > live.feed._last_id))).all()
        for row in rows:
            payload = json.loads(row.payload)
            assert payload.pop("state", None) is not None
            await conn.execute(update(outbox).where(outbox.c.id == row.id)
                               .values(payload=json.dumps(payload)))
    await live.feed.poll_once()
    assert _told(await stream.events(2)) == [
        ("SHIPMENT_STATUS_CHANGED", "PROCESSING", "PROCESSING"),  # read now: the order moved
        ("ORDER_STATUS_CHANGED", "PROCESSING", None)]
    assert [s["status"] for s in await seller_stream.events(1)] == ["PROCESSING"]
    for each in (stream, seller_stream):
        await each.close()


# ---------------------------------------------------------------- real server processes

@pytest.fixture
async def servers(runtime: Any, log_dir: Path) -> Any:
    running = [start_server(runtime.settings.database_url, log_dir) for _ in range(2)]
    yield running
    for server in running:
        server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("where", ["same process", "other process"])
async def test_a_watcher_sees_process_ship_deliver_once_each_in_order(
        runtime: Any, servers: Any, where: str) -> None:
    watched, changing = servers[0], servers[0 if where == "same process" else 1]
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    async with httpx.AsyncClient(base_url=changing.base_url, timeout=30) as http:
        api = GraphQLClient(http)
        order = await _confirmed_order(api, runtime, buyer, seller)
        watcher = await Socket.open(watched.base_url, buyer.token)
        await watcher.subscribe(ORDER_UPDATES, {"id": order["id"]})
        payer = await Socket.open(watched.base_url, buyer.token)
        await payer.subscribe(MY_UPDATES)
        await asyncio.sleep(1.0)  # the subscriptions are registered
        await _fulfil(api, seller, order["shipments"][0]["id"])
        events = await watcher.events(6)
        assert _told(events) == EXPECTED_FULFILMENT
        assert [e["status"] for e in events if e["type"] == "ORDER_STATUS_CHANGED"] == [
            "PROCESSING", "SHIPPED", "DELIVERED"]
        sid, _ = await checkout(api, runtime, buyer, [(seller, 1500)])
        declined = await complete(api, buyer.token, sid, pm="pm_card_chargeDeclined",
                                  key="k-2")
        await api.data(RETRY, {"order": declined["order"]["id"], "pm": "pm_card_visa",
                               "key": "retry-2"}, token=buyer.token)
        told = await payer.events(10)  # 6 of the first order, 4 of the second
        paid = [(e["status"], e["payment"]["status"]) for e in told if e["payment"]]
        assert paid == [("PENDING_PAYMENT", "FAILED"), ("PENDING_PAYMENT", "SUCCEEDED")]
        assert [e["status"] for e in told[6:]] == ["PENDING_PAYMENT", "PENDING_PAYMENT",
                                                   "PENDING_PAYMENT", "CONFIRMED"]
        with pytest.raises(asyncio.TimeoutError):
            await watcher.next(timeout=1.0)  # each change told exactly once
        for socket in (watcher, payer):
            await socket.close()


ORDER_NUMBERS = """subscription($id: ID!) { orderUpdates(orderId: $id) { type
  order { number } } }"""


async def test_subscribers_of_one_group_share_one_execution_per_event(
        gql: Any, runtime: Any) -> None:
    """Same document, variables and viewer: one execution per event, shared by all of them;
    another viewer or another selection executes on its own; a stranger gets nothing
    (schema/shared_events.py)."""
    seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    stranger = await make_account(runtime)
    order = await _confirmed_order(gql, runtime, buyer, seller)
    live = InProcess(runtime)
    await live.feed.start_position()
    buyers = [await live.subscribe(buyer, ORDER_UPDATES, {"id": order["id"]})
              for _ in range(5)]
    seller_stream = await live.subscribe(seller, ORDER_UPDATES, {"id": order["id"]})
    numbers = await live.subscribe(buyer, ORDER_NUMBERS, {"id": order["id"]})
    strangers = await live.subscribe(stranger, MY_UPDATES)
    cache = cache_for(runtime.bus)
    before = cache.executions
    assert (await process_shipment(gql, seller, order["shipments"][0]["id"]))["userErrors"] == []
    await live.feed.poll_once()
    told = [await stream.events(2) for stream in buyers]
    assert all(events == told[0] for events in told)
    assert _told(told[0]) == EXPECTED_FULFILMENT[:2]
    assert _told(await seller_stream.events(2)) == _told(told[0])
    assert [e["type"] for e in await numbers.events(2)] == [
        "SHIPMENT_STATUS_CHANGED", "ORDER_STATUS_CHANGED"]
    await strangers.nothing_more()
    assert cache.executions - before == 2 * 3  # buyer group, seller, other selection
    for stream in [*buyers, seller_stream, numbers, strangers]:
        await stream.close()


async def test_seller_shipment_subscribers_of_one_account_share_one_execution(
        gql: Any, runtime: Any) -> None:
    """sellerShipmentUpdates groups as orderUpdates does: one execution per event and
    shipment for the sockets of one seller; a seller with no part in the order gets nothing."""
    seller = await make_account(runtime, "SELLER")
    other_seller = await make_account(runtime, "SELLER")
    buyer = await make_account(runtime)
    order = await _confirmed_order(gql, runtime, buyer, seller)
    mine = order["shipments"][0]["id"]
    live = InProcess(runtime)
    await live.feed.start_position()
    sellers = [await live.subscribe(seller, SELLER_UPDATES) for _ in range(4)]
    others = await live.subscribe(other_seller, SELLER_UPDATES)
    cache = cache_for(runtime.bus)
    before = cache.executions
    assert (await process_shipment(gql, seller, mine))["userErrors"] == []
    await live.feed.poll_once()
    told = [await stream.events(1) for stream in sellers]
    assert all(events == told[0] for events in told)
    assert told[0][0]["status"] == "PROCESSING"
    await others.nothing_more()
    assert cache.executions - before == 1
    for stream in [*sellers, others]:
        await stream.close()
